"""The Official Account's menu and QR codes: `ipbot wechat menu` publishes the menu derived from the command
table and its buttons do what they say; `ipbot wechat qr SCENE` makes a permanent QR code drawn locally; a
follow or a scan through one does what its scene names. Over the WeChat API double, callbacks encrypted by
wechatpy; the commands use the token the running bot keeps in the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.wechat_menu import account_menu, draw_qr
from bot.core.models import SurveyWave
from handlers.commands import app_menu_commands
from knowledge.service import KnowledgeService
from tests import wechat_stack
from tests.cli_runner import ipbot
from tests.doubles.wechat_api import APP_ID, APP_SECRET, WeChatDouble
from tests.wechat_stack import Stack


@pytest.fixture
def stack(knowledge: KnowledgeService, sessions: sessionmaker[Session], database_url: str) -> Iterator[Stack]:
    with WeChatDouble() as double:
        yield from wechat_stack.stack(double, knowledge, database_url)


def _env(stack: Stack, database_url: str, secret: str = APP_SECRET) -> dict[str, str]:
    return {"IPBOT_DATABASE_URL": database_url, "IPBOT_WECHAT_APP_ID": APP_ID, "IPBOT_WECHAT_APP_SECRET": secret,
            "IPBOT_WECHAT_API_BASE_URL": stack.double.base_url}


def _open_survey(stack: Stack) -> None:
    with stack.sessions.begin() as session:
        session.add(SurveyWave(name="2026Q4"))


def test_the_menu_fits_wechat_and_keeps_every_entry() -> None:
    entries = app_menu_commands()
    menu = account_menu(entries)
    assert len(menu.buttons) <= 3 and menu.left_out == []
    keys = [b["key"] for button in menu.buttons for b in button.get("sub_button", [button])]
    assert sorted(keys) == sorted(f"/{name}" for _label, name in entries)
    assert all(len(button["name"]) <= 4 and len(button.get("sub_button", [])) <= 5 for button in menu.buttons)


def test_ipbot_wechat_menu_is_accepted_and_its_buttons_work(stack: Stack, database_url: str) -> None:
    stack.wechat.says("oMenu", "商标怎么注册")  # the running bot fetched the account's token
    stack.double.wait_for(1, "oMenu")
    done = ipbot("wechat", "menu", env=_env(stack, database_url))
    assert done.returncode == 0, done.stderr
    assert "满意度调查 → /survey" in done.stdout and "我要举报 → /tip" in done.stdout
    (published,) = stack.double.menus
    survey = next(b for button in published for b in button.get("sub_button", [button]) if b["name"] == "满意度调查")
    assert stack.double.token_fetches == 1  # the command used the shared token: the bot's still works
    _open_survey(stack)
    assert stack.wechat.event("oMenu", "CLICK", survey["key"]).body == "success"
    stack.double.wait_for_text("oMenu", "满意度调查")
    assert stack.double.rejected == []


def test_ipbot_wechat_menu_explains_what_is_missing_or_refused(stack: Stack, database_url: str) -> None:
    bare = ipbot("wechat", "menu", env={"IPBOT_DATABASE_URL": database_url})
    assert bare.returncode == 2 and "IPBOT_WECHAT_APP_ID" in bare.stderr and "Traceback" not in bare.stderr
    refused = ipbot("wechat", "menu", env=_env(stack, database_url, secret="wrong"))
    assert refused.returncode == 1 and "40013" in refused.stderr and "Traceback" not in refused.stderr
    assert stack.double.menus == []


def test_ipbot_wechat_qr_draws_the_code_wechat_made(stack: Stack, database_url: str, tmp_path: Path) -> None:
    out = tmp_path / "survey.png"
    done = ipbot("wechat", "qr", "survey", "-o", str(out), env=_env(stack, database_url))
    assert done.returncode == 0, done.stderr
    assert stack.double.qr_scenes == ["survey"]
    url = "http://weixin.qq.com/q/survey-code"  # what the double answered for this scene
    assert url in done.stdout and out.read_bytes() == draw_qr(url)
    with Image.open(out) as image:
        assert image.format == "PNG" and image.width == image.height >= 300


def test_ipbot_wechat_qr_refuses_an_unknown_scene(stack: Stack, database_url: str, tmp_path: Path) -> None:
    out = tmp_path / "party.png"
    done = ipbot("wechat", "qr", "party", "-o", str(out), env=_env(stack, database_url))
    assert done.returncode == 2 and "invalid choice" in done.stderr and "survey" in done.stderr
    assert not out.exists() and stack.double.qr_scenes == []


def test_following_through_the_survey_qr_code_starts_the_survey(stack: Stack) -> None:
    _open_survey(stack)
    assert stack.wechat.event("oPoster", "subscribe", "qrscene_survey").body == "success"
    notice, survey = stack.double.wait_for(2, "oPoster")[:2]
    assert "个人信息" in notice.text
    assert "满意度调查" in survey.text and [label for label, _ in survey.buttons][:1] == ["同意"]


def test_scanning_the_report_qr_code_as_a_follower_starts_a_report(stack: Stack) -> None:
    assert stack.wechat.event("oHall", "SCAN", "tip").body == "success"
    stack.double.wait_for_text("oHall", "举报侵权线索")
    assert stack.wechat.event("oHall", "SCAN", "nonsense").body == "success"  # an unknown scene: the main menu
    stack.double.wait_for_text("oHall", "博州知识产权")
