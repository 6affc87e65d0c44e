"""Infringement reports end to end, as `ipbot run` runs them: a report with a photo over Telegram (the Bot API
double serves getFile and the file download) and over WeCom (an image message, media/get), a WQ number, staff
moving it through two statuses from chat, and the reporter told both times through the outbox."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.models import TipPhoto
from bot.settings import Settings
from knowledge.service import KnowledgeService
from tests.doubles.telegram_api import TOKEN, Sent, TelegramDouble
from tests.doubles.wecom_api import AppMessage, WeComDouble, WeComServer
from tests.helpers import RunningApp, RunningBot, photo_with_gps, until, wecom_settings
from tests.test_telegram import STAFF_CHAT, STAFF_MEMBER, USER

T = TypeVar("T")
NUMBER = re.compile(r"WQ\d{14}")


# ---- Telegram -------------------------------------------------------------------------------------------
def said(double: TelegramDouble, chat: int, fragment: str) -> Callable[[], Sent | None]:
    return lambda: next((s for s in reversed(list(double.sent)) if s.chat_id == chat and fragment in s.text), None)


@pytest.fixture
def telegram(knowledge: KnowledgeService, database_url: str, tmp_path: Path) -> Iterator[tuple[TelegramDouble, Path]]:
    with TelegramDouble() as double:
        settings = Settings(telegram_token=TOKEN, telegram_base_url=double.base_url,
                            telegram_staff_chat=str(STAFF_CHAT), staff=f"telegram:{STAFF_MEMBER}",
                            database_url=database_url, telegram_max_rate=1000, media_dir=str(tmp_path / "media"),
                            http_listen="127.0.0.1:0")  # any free port: tests run side by side
        running = RunningBot(settings, knowledge)
        try:
            yield double, tmp_path / "media"
        finally:
            running.stop()


def test_telegram_report_with_a_photo_and_two_status_changes(telegram: tuple[TelegramDouble, Path],
                                                             sessions: sessionmaker[Session]) -> None:
    d, media = telegram

    def press(fragment: str, label: str) -> None:
        message = until(said(d, USER, fragment))
        d.user_presses(USER, message, dict(message.buttons)[label])

    d.user_sends(USER, "/tip")
    press("哪一类侵权", "地理标志")
    press("哪个地理标志", "精河枸杞")
    press("在哪里发现", "精河县")
    until(said(d, USER, "具体在哪里"))
    d.user_sends(USER, "枸杞一条街张记干果店")
    until(said(d, USER, "发生了什么"))
    d.user_sends(USER, "冒用精河枸杞专用标志")
    until(said(d, USER, "有照片的话"))
    d.user_sends_photo(USER, photo_with_gps())
    press("已收到1张照片", "完成")
    press("联系方式", "匿名")
    press("请核对", "提交")
    number = NUMBER.search(until(said(d, USER, "举报已提交")).text).group(0)  # type: ignore[union-attr]
    # staff are told with the photo: downloaded (getFile + file), cleaned of its GPS position
    _chat, picture = until(lambda: next((p for p in d.photos if p[0] == STAFF_CHAT), None))
    assert Image.open(io.BytesIO(picture)).getexif() == {} and b"PhoneMaker" not in picture
    assert d.called("getFile")
    (stored,) = list(media.iterdir())
    assert b"PhoneMaker" not in stored.read_bytes()
    d.user_sends(STAFF_MEMBER, f"/tip {number} 核查中 已派员到店", chat_id=STAFF_CHAT, chat_type="supergroup")
    assert "已派员到店" in until(said(d, USER, "核查中")).text
    until(said(d, STAFF_CHAT, "已受理 → 核查中"))
    d.user_sends(STAFF_MEMBER, f"/tip {number} 已移交执法 移交精河县市场监管局", chat_id=STAFF_CHAT,
                 chat_type="supergroup")
    assert "移交精河县市场监管局" in until(said(d, USER, "已移交执法")).text
    d.user_sends(USER, number)
    record = until(said(d, USER, "处理记录"))
    assert "已派员到店" in record.text and "已移交执法" in record.text


def test_telegram_stickers_documents_and_a_photo_that_is_not_one(telegram: tuple[TelegramDouble, Path],
                                                                 sessions: sessionmaker[Session]) -> None:
    d, _media = telegram
    d.user_sends(USER, "/tip")
    until(said(d, USER, "哪一类侵权"))
    d.user_sends_sticker(USER)
    until(said(d, USER, "表情不能作为证据"))
    d.user_sends_document(USER, b"%PDF-1.4", "application/pdf", "a.pdf")
    until(said(d, USER, "只能接收图片"))
    d.user_sends_document(USER, b"%PDF-1.4 pretending", "image/jpeg", "fake.jpg")  # says it is a picture
    until(said(d, USER, "已收到照片（共1张）"))
    until(said(d, USER, "不是图片文件"))  # the content says otherwise: the reporter is told
    with sessions() as session:
        assert [p.status for p in session.scalars(select(TipPhoto))] == ["rejected"]


# ---- WeCom ----------------------------------------------------------------------------------------------
def card_with(double: WeComDouble, user: str, fragment: str) -> Callable[[], AppMessage | None]:
    def find() -> AppMessage | None:
        return next((m for m in reversed(list(double.messages)) if m.touser == user and fragment in (
            m.text or str(m.body.get("sub_title_text", "")))), None)
    return find


def test_wecom_report_with_an_image_message(knowledge: KnowledgeService, database_url: str, tmp_path: Path) -> None:
    with WeComDouble() as double:
        settings = wecom_settings(double, database_url, media_dir=str(tmp_path / "media"))
        running = RunningApp(settings, knowledge)
        try:
            wecom = WeComServer(f"http://127.0.0.1:{running.port}/wecom/callback")

            def click(fragment: str, label: str) -> None:
                card = until(card_with(double, "wangwu", fragment))
                assert wecom.clicks("wangwu", dict(card.buttons)[label]).status == 200

            wecom.says("wangwu", "/tip")
            click("哪一类侵权", "商标")
            click("哪个商标", "跳过")
            click("在哪里发现", "博乐市")
            until(card_with(double, "wangwu", "具体在哪里"))
            wecom.says("wangwu", "博乐市农贸市场12号摊位")
            until(card_with(double, "wangwu", "发生了什么"))
            wecom.says("wangwu", "卖仿冒注册商标的牛肉干")
            until(card_with(double, "wangwu", "有照片的话"))
            double.received_media["MEDIA1"] = photo_with_gps()
            assert wecom.sends_image("wangwu", "MEDIA1").status == 200
            click("已收到1张照片", "完成")
            until(card_with(double, "wangwu", "联系方式"))
            wecom.says("wangwu", "13900000000")
            click("请核对", "提交")
            number = NUMBER.search(until(card_with(double, "wangwu", "举报已提交")).text).group(0)  # type: ignore[union-attr]
            image = until(lambda: next((m for m in list(double.robot) if m.get("msgtype") == "image"), None))
            assert b"PhoneMaker" not in base64.b64decode(image["image"]["base64"]) and double.media_fetches == 1
            assert any(number in str(m.get("text", {}).get("content", "")) for m in double.robot)
            wecom.says("boss", f"/tip {number} 核查中 执法人员已到市场")
            assert "执法人员已到市场" in until(card_with(double, "wangwu", "核查中")).text
            wecom.says("boss", f"/tip {number} 不予受理")
            until(card_with(double, "boss", "需要写明理由"))
            wecom.says("boss", f"/tip {number} 已移交执法 移交博乐市市场监管局")
            assert "移交博乐市市场监管局" in until(card_with(double, "wangwu", "已移交执法")).text
            wecom.says("lisi", number)  # someone else: the status only
            seen = until(card_with(double, "lisi", number)).text
            assert "已移交执法" in seen and "农贸市场" not in seen and "处理记录" not in seen
        finally:
            running.stop()
