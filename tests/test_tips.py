"""Infringement reports in chat (线上快速维权): the steps, photos, the WQ number, staff moving a report and the
reporter told, privacy of someone else's number, bad input, drafts and retention."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.messages import Address, StaffChat
from bot.core.models import Tip, TipEvent, TipPhoto
from handlers.rate_limit import RateLimiter
from handlers.router import Router
from handlers.tips import export as tips_export
from handlers.tips import query as tips_query
from handlers.tips import upkeep as tips_upkeep
from knowledge.service import KnowledgeService
from tests.helpers import Person, Reporter, fill_in, store_photos

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def media(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def staffed(knowledge: KnowledgeService, sessions: sessionmaker[Session], media: Path) -> Router:
    router = Router(knowledge, sessions, staff_ids=frozenset({"terminal:boss"}))
    router.media_dir = media
    return router


def test_a_report_with_a_photo_gets_a_number_and_staff_are_told_once_the_photo_is_in(
        staffed: Router, sessions: sessionmaker[Session], media: Path) -> None:
    reporter = Reporter(staffed, "u1")
    number = fill_in(reporter)
    month = dt.datetime.now(ZONE).strftime("%Y%m")
    assert number.startswith(f"WQ{month}0001") and len(number) == 16
    assert "/tip_status" in reporter.text
    assert not reporter.to_staff  # the photo is still on its way: the notice waits for it
    notices = store_photos(sessions, media)
    (notice,) = notices
    assert notice.to == StaffChat("terminal") and number in notice.text and "精河县" in notice.text
    assert notice.image is not None and Image.open(io.BytesIO(notice.image)).size == (40, 30)
    assert store_photos(sessions, media) == []  # told once
    second = Reporter(staffed, "u2")
    assert fill_in(second, photo=None).startswith(f"WQ{month}0002")
    assert "同一店铺或链接另有举报" in second.to_staff and number in second.to_staff  # same shop: shown together


def test_staff_move_a_report_and_the_reporter_is_told_each_time(staffed: Router, sessions: sessionmaker[Session],
                                                                media: Path) -> None:
    reporter = Reporter(staffed, "u1")
    number = fill_in(reporter)
    store_photos(sessions, media)
    boss = Person(staffed, "boss")
    replies = boss.says(f"/tip {number}")
    assert "13800000000" in replies[0].text and "已受理" in replies[0].text
    assert [r.image is not None for r in replies] == [False, True]  # the photo, for staff
    replies = boss.says(f"/tip {number} 核查中 已派执法人员到店核实")
    assert "已受理 → 核查中" in replies[0].text
    (news,) = [r for r in replies if r.to == Address("terminal", "u1")]
    assert "核查中" in news.text and "已派执法人员到店核实" in news.text
    replies = boss.says(f"/tip {number} 已移交执法 已移交精河县市场监管局")
    assert any(r.to == Address("terminal", "u1") and "已移交执法" in r.text for r in replies)
    reporter.says(number)  # the reporter asks: the whole record with the notes
    assert "已移交执法" in reporter.text and "已派执法人员到店核实" in reporter.text
    with sessions() as session:
        events = list(session.scalars(select(TipEvent).order_by(TipEvent.id)))
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [
        (None, "received", "reporter"), ("received", "checking", "terminal:boss"),
        ("checking", "transferred", "terminal:boss")]


def test_invalid_moves_are_refused_clearly(staffed: Router) -> None:
    number = fill_in(Reporter(staffed, "u1"), photo=None)
    boss = Person(staffed, "boss")
    boss.says(f"/tip {number} 已办结")
    assert "不能改为“已办结”" in boss.text and "核查中、不予受理" in boss.text
    boss.says(f"/tip {number} 不予受理")
    assert "需要写明理由" in boss.text
    boss.says(f"/tip {number} 完了")
    assert "没有“完了”这个状态" in boss.text
    boss.says(f"/tip {number} 不予受理 不属于知识产权侵权")
    boss.says(f"/tip {number} 已办结")
    boss.says(f"/tip {number} 核查中")
    assert "不能再改" in boss.text
    boss.says("/tip WQ2099010001 核查中")
    assert "没有找到" in boss.text


def test_others_see_only_the_status_and_cannot_move_it(staffed: Router) -> None:
    number = fill_in(Reporter(staffed, "u1"))
    stranger = Person(staffed, "u9")
    for asking in (number, f"/tip_status {number}", f"/tip {number}"):
        stranger.says(asking)
        assert "已受理" in stranger.text
        seen = stranger.text.replace(number, "")  # (the number's random digits may hold any digits)
        assert "张记" not in seen and "枸杞" not in seen and "13800000000" not in seen
        assert "处理记录" not in stranger.text
    stranger.says(f"/tip {number} 已办结 搞定")
    assert "只对工作人员开放" in stranger.text
    stranger.says("/tips")
    assert "只对工作人员开放" in stranger.text


def test_staff_list_groups_the_same_shop_and_filters_by_status(staffed: Router) -> None:
    first = fill_in(Reporter(staffed, "u1"), photo=None)
    other = Reporter(staffed, "u2")
    other.says("/tip")
    other.presses("商标")
    other.presses("跳过")
    other.presses("网上")
    assert "链接" in other.text
    other.says("https://item.taobao.com/item.htm?id=123&spm=a1")
    other.says("网店卖仿冒商标的枸杞")
    other.presses("跳过")
    other.presses("匿名")
    other.presses("提交")
    third = Reporter(staffed, "u3")
    fill_in(third, photo=None)  # the same shop as the first, written alike
    boss = Person(staffed, "boss")
    boss.says("/tips")
    assert "同一店铺或链接（2件）" in boss.text and first in boss.text and "未办结，3件" in boss.text
    boss.says(f"/tip {first} 核查中")
    boss.says("/tips 核查中")
    assert first in boss.text and "1件" in boss.text
    boss.says("/tips 乱写")
    assert "用法" in boss.text


def test_photos_at_any_step_up_to_five_and_what_is_not_one(staffed: Router, sessions: sessionmaker[Session]) -> None:
    reporter = Reporter(staffed, "u1")
    reporter.sends_photo("early")  # no report open: one opens, the photo kept
    assert "收到照片" in reporter.text and reporter.labels == ["商标", "专利", "地理标志", "其他"]
    reporter.presses("商标")
    for n in range(2, 6):
        reporter.sends_photo(f"p{n}")
        assert f"共{n}张" in reporter.text and "被侵犯的是哪个商标" in reporter.text  # and the step asked again
    reporter.sends_photo("p6")
    assert "最多只能附5张" in reporter.text
    reporter.sends_attachment("sticker")
    assert "表情" in reporter.text and "商标" in reporter.text
    reporter.sends_attachment("file")
    assert "只能接收图片" in reporter.text
    reporter.sends_attachment("too_large")
    assert "超过10MB" in reporter.text
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(TipPhoto)) == 5
        (tip,) = session.scalars(select(Tip))
        assert tip.step == "right"  # nothing lost, nothing moved on


def test_a_photo_that_is_not_a_picture_is_refused_and_the_reporter_told(
        staffed: Router, sessions: sessionmaker[Session], media: Path) -> None:
    reporter = Reporter(staffed, "u1")
    fill_in(reporter)
    replies = store_photos(sessions, media, b"%PDF-1.4 not a picture")
    to_reporter = [r for r in replies if r.to == Address("terminal", "u1")]
    assert "不是图片文件" in to_reporter[0].text
    (notice,) = [r for r in replies if isinstance(r.to, StaffChat)]  # then staff hear of it, without a picture
    assert notice.image is None and "照片：0张" in notice.text


def test_forged_and_stale_buttons(staffed: Router) -> None:
    reporter = Reporter(staffed, "u1")
    reporter.says("/tip")
    kind_payload = reporter.last[0].payloads()[0]
    reporter.presses("商标")
    for forged in (kind_payload, "tp:999:r:skip", "tp:1:r:nope", "tp:1:z:1"):
        reporter.sends_payload(forged)
        assert "过期" in reporter.text and "被侵犯的是哪个商标" in reporter.text
    Person(staffed, "u2").sends_payload("tp:1:r:skip")  # someone else's draft
    reporter.says("/cancel")
    assert "已放弃" in reporter.text
    reporter.sends_payload("tp:1:r:skip")
    assert "已经提交或放弃" in reporter.text


def test_resumes_after_a_restart_and_one_draft_a_person(knowledge: KnowledgeService,
                                                       sessions: sessionmaker[Session]) -> None:
    reporter = Reporter(Router(knowledge, sessions), "u1")
    reporter.says("/tip")
    reporter.presses("专利")
    reporter.says("ZL202310000001.X")
    again = Reporter(Router(knowledge, sessions), "u1")  # a new process
    again.says("/tip")
    assert "接着填" in again.text and "在哪里发现" in again.text
    again.says("/tip")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Tip)) == 1


def test_text_on_a_button_step_and_typed_labels(staffed: Router) -> None:
    reporter = Reporter(staffed, "u1")
    reporter.says("/tip")
    reporter.says("我不知道")
    assert "请点下面的按钮" in reporter.text and reporter.labels == ["商标", "专利", "地理标志", "其他"]
    reporter.says("专利")  # the label typed (WeCom users do)
    assert "专利号" in reporter.text
    reporter.says("很" * 300)
    assert "内容太长" in reporter.text


def test_a_flood_keeps_the_photos(knowledge: KnowledgeService, sessions: sessionmaker[Session]) -> None:
    router = Router(knowledge, sessions, rate_limiter=RateLimiter(limit=3, window=60))
    reporter = Reporter(router, "u1")
    reporter.says("/tip")
    reporter.presses("商标")
    reporter.sends_photo("a")
    reporter.sends_photo("b")
    assert "太快" in reporter.text
    assert reporter.sends_photo("c") == []  # silence for the minute…
    with sessions() as session:  # …but every photo is in the draft
        assert session.scalar(select(func.count()).select_from(TipPhoto)) == 3


def test_the_offer_under_answers_about_counterfeits_and_the_menu(staffed: Router) -> None:
    person = Reporter(staffed, "u1")
    person.says("发现假冒商品怎么举报？")
    assert "我要举报" in person.labels
    person.presses("我要举报")
    assert person.labels == ["商标", "专利", "地理标志", "其他"]
    person.says("/cancel")
    person.says("专利年费怎么交")
    assert "我要举报" not in person.labels
    person.says("/start")
    assert "我要举报" in person.labels


def test_old_drafts_go_and_closed_reports_lose_contact_and_photos(
        staffed: Router, sessions: sessionmaker[Session], media: Path) -> None:
    number = fill_in(Reporter(staffed, "u1"))
    store_photos(sessions, media)
    assert len(list(media.iterdir())) == 1
    boss = Person(staffed, "boss")
    boss.says(f"/tip {number} 核查中")
    boss.says(f"/tip {number} 已办结 已责令整改")
    draft = Reporter(staffed, "u2")
    draft.says("/tip")
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        session.execute(update(Tip).where(Tip.status == "draft").values(updated_at=now - dt.timedelta(days=8)))
        tips_upkeep.discard_drafts(session, media, now)
        tips_upkeep.purge_closed(session, media, dt.timedelta(days=365), now)  # not yet
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Tip).where(Tip.status == "draft")) == 0
        assert tips_query.get_tip(session, number, include_contacts=True).contact == "13800000000"  # type: ignore[union-attr]
    with sessions.begin() as session:
        tips_upkeep.purge_closed(session, media, dt.timedelta(days=365), now + dt.timedelta(days=366))
    with sessions() as session:
        view = tips_query.get_tip(session, number, include_contacts=True)
        assert view is not None and view.contact is None and view.purged and view.status == "closed"
        assert view.kind == "gi" and view.county == "精河县"  # the figures stay
    assert list(media.iterdir()) == []
    former = Reporter(staffed, "u1")
    former.says(number)  # no longer theirs to see in full: only the status
    assert "已办结" in former.text and "处理记录" not in former.text
    boss.says(f"/tip {number}")
    assert "已按期删除" in boss.text


def test_query_functions_and_the_export_without_contacts(staffed: Router, sessions: sessionmaker[Session]) -> None:
    first = fill_in(Reporter(staffed, "u1"), photo=None)
    fill_in(Reporter(staffed, "u2"), photo=None, contact=None)
    Person(staffed, "boss").says(f"/tip {first} 核查中 到店")
    with sessions() as session:
        assert [v.number for v in tips_query.list_tips(session, status="核查中")] == [first]
        assert len(tips_query.list_tips(session, county="精河县", kind="gi")) == 2
        assert tips_query.list_tips(session, county="博乐市") == []
        assert all(v.contact is None for v in tips_query.list_tips(session))
        start, end = tips_export.month_range(dt.datetime.now(ZONE).year, dt.datetime.now(ZONE).month, ZONE)
        plain = load_workbook(io.BytesIO(tips_export.to_xlsx(session, ZONE, start, end)))
        full = load_workbook(io.BytesIO(tips_export.to_xlsx(session, ZONE, start, end, include_contacts=True)))
    rows = list(plain["举报"].iter_rows(values_only=True))
    assert len(rows) == 3 and "联系方式" not in rows[0]
    assert not any("13800000000" in str(cell) for row in rows for cell in row)
    assert any("13800000000" in str(cell) for row in full["举报"].iter_rows(values_only=True) for cell in row)
    summary = list(plain["汇总"].iter_rows(values_only=True))
    assert ("地理标志", 1, 1, 0, 0, 0, 2) in summary


def test_report_numbers_carry_a_random_part_so_others_cannot_be_walked(staffed: Router) -> None:
    first = fill_in(Reporter(staffed, "u1"), photo=None)
    second = fill_in(Reporter(staffed, "u2"), photo=None)
    assert len(first) == len(second) == 16 and first[:12] != second[:12]  # WQ + month + sequence + 4 random
    assert first[8:12] == "0001" and second[8:12] == "0002"
    stranger = Person(staffed, "u3")
    for guess in {f"{first[:12]}{n:04d}" for n in (0, 1, 1234, 9999)} - {first}:
        stranger.says(guess)
        assert "核查中" not in stranger.text and "已受理" not in stranger.text and guess in stranger.text
    stranger.says(second)  # the real number still tells its status
    assert "状态" in stranger.text
