"""The console's 线索 and 指标 pages over real HTTP, as `ipbot run` serves them: reports listed, filtered and
grouped by shop, one in full with its photo (served only to a session), moved to its next status with the
reporter told through the outbox, the month's workbook with contact details only for an admin who asks; the
plan's indicators with a figure recorded from the browser, bad figures refused at the form, the chart and the
workbook."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from bot.core.models import AuditLog, OutboxMessage, Tip, TipEvent, TipPhoto
from knowledge.service import KnowledgeService
from tests.helpers import Reporter, RunningConsole, fill_in, jpeg, store_photos

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def media(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def console(database_url: str, knowledge: KnowledgeService, media: Path) -> Iterator[RunningConsole]:
    running = RunningConsole(database_url, knowledge, media_dir=str(media))
    running.add_account("boss", "admin")
    running.add_account("clerk", "staff")
    yield running
    running.stop()


def _reports(console: RunningConsole, media: Path) -> tuple[str, str, str]:
    """Two reports about the same shop in 精河县 (the first with a photo), one about a shop online."""
    router = console.app.router
    first = fill_in(Reporter(router, "7001", "telegram"))
    store_photos(console.sessions, media, jpeg("red"))
    second = fill_in(Reporter(router, "7002", "telegram"), photo=None, contact=None)
    online = Reporter(router, "7003", "telegram")
    online.says("/tip")
    online.presses("商标")
    online.presses("跳过")
    online.presses("网上")
    online.says("某平台 枸杞旗舰店 https://shop.example/123")
    online.says("假冒注册商标的枸杞礼盒")
    online.presses("跳过")
    online.says("微信 wx-secret-contact")
    online.presses("提交")
    third = next(w for w in online.text.replace("，", " ").replace("。", " ").split() if w.startswith("WQ"))
    return first, second, third


def _audit(console: RunningConsole, action: str) -> list[str]:
    with console.sessions() as session:
        return list(session.scalars(select(AuditLog.detail).where(AuditLog.action == action).order_by(AuditLog.id)))


def test_reports_are_listed_filtered_grouped_by_shop_and_shown_with_their_photo(console: RunningConsole,
                                                                                media: Path) -> None:
    first, second, third = _reports(console, media)
    browser = console.client()
    browser.sign_in("clerk")
    assert ">线索</a>" in browser.page("/console/") and ">指标</a>" in browser.page("/console/")
    listing = browser.page("/console/tips")
    assert "共 3 件" in listing and all(f"/console/tips/{n}" in listing for n in (first, second, third))
    assert "同一店铺或链接（2件）" in listing and "wx-secret-contact" not in listing
    grouped = listing.index("同一店铺或链接（2件）")
    assert grouped < listing.index(f">{first}<") and grouped < listing.index(f">{second}<")
    for query, shown, hidden in (("county=精河县", [first, second], [third]), ("kind=trademark", [third], [first]),
                                 ("status=open", [first, second, third], []), ("status=closed", [], [first]),
                                 ("county=网上&kind=gi", [], [first, third])):
        page = browser.page(f"/console/tips?{query}")
        assert all(f">{n}<" in page for n in shown) and not any(f">{n}<" in page for n in hidden), query
    assert "没有符合条件的线索" in browser.page("/console/tips?status=rejected")

    detail = browser.page(f"/console/tips/{first}")
    assert "张记干果店" in detail and second in detail  # same shop, linked
    assert "13800000000" not in detail and "仅管理员可见" in detail  # a reporter's contact: admins only...
    assert _audit(console, "tip.contact") == []
    boss = console.client()
    boss.sign_in("boss")
    assert "13800000000" in boss.page(f"/console/tips/{first}")
    assert _audit(console, "tip.contact") == [first]  # ...and each look is in the audit log
    assert "举报人" in detail and "已受理" in detail  # the submission in the record
    with console.sessions() as session:
        photo_id, file_name = session.execute(select(TipPhoto.id, TipPhoto.file_name)
                                              .where(TipPhoto.status == "stored")).one()
    assert f'src="/console/tips/photos/{photo_id}"' in detail
    photo = browser.get(f"/console/tips/photos/{photo_id}")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert "no-store" in photo.headers["cache-control"] and photo.content.startswith(b"\xff\xd8\xff")
    assert Image.open(io.BytesIO(photo.content)).size == (40, 30)
    assert browser.get("/console/tips/photos/999").status_code == 404
    assert browser.get("/console/tips/WQ2099010001").status_code == 404
    assert file_name and (media / file_name).is_file()
    assert browser.get(f"/console/static/{file_name}").status_code == 404  # never a static file

    stranger = console.client()
    refused = stranger.get(f"/console/tips/photos/{photo_id}")
    assert refused.status_code == 302 and refused.headers["location"].startswith("/console/login")
    assert stranger.get(f"/console/tips/{first}").status_code == 302
    assert stranger.get("/console/tips/export.xlsx?month=2026-11").status_code == 302


def test_text_typed_by_reporters_is_shown_escaped(console: RunningConsole) -> None:
    evil = '<img src=x onerror="alert(1)">'
    reporter = Reporter(console.app.router, "7009", "telegram")
    reporter.says("/tip")
    reporter.presses("其他")
    reporter.says(evil)
    reporter.presses("网上")
    reporter.says(evil)
    reporter.says(evil)
    reporter.presses("跳过")
    reporter.presses("匿名")
    reporter.presses("提交")
    number = next(w for w in reporter.text.replace("，", " ").replace("。", " ").split() if w.startswith("WQ"))
    browser = console.client()
    browser.sign_in("clerk")
    for path in ("/console/tips", f"/console/tips/{number}"):
        text = browser.page(path)
        assert evil not in text and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text, path


def test_moving_a_report_tells_the_reporter_through_the_outbox(console: RunningConsole, media: Path) -> None:
    first, second, _third = _reports(console, media)
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page(f"/console/tips/{first}")
    assert 'value="checking"' in page and 'value="rejected"' in page and 'value="closed"' not in page
    response = browser.post(f"/console/tips/{first}/move", {"status": "checking", "note": "已派员到店核查"})
    assert response.status_code == 302 and response.headers["location"] == f"/console/tips/{first}"
    page = browser.page(f"/console/tips/{first}")
    assert "已受理 → 核查中，已排队通知举报人" in page and "已派员到店核查" in page and "clerk（工作台）" in page
    with console.sessions() as session:
        told = session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == "7001",
                                                           OutboxMessage.text.like("你的举报%"))).all()
        tip = session.scalars(select(Tip).where(Tip.number == first)).one()
        event = session.scalars(select(TipEvent).where(TipEvent.tip_id == tip.id).order_by(TipEvent.id.desc())).first()
    assert len(told) == 1 and told[0].channel == "telegram"
    assert "核查中" in told[0].text and "已派员到店核查" in told[0].text
    assert tip.status == "checking" and event is not None and event.actor == "clerk（工作台）"
    assert _audit(console, "tip.move") == [f"{first} 已受理 → 核查中：已派员到店核查"]

    # refused moves: said at the form, nothing changed, nobody told
    for form, says in (({"status": "rejected", "note": " "}, "需要在“说明”里写明理由"),
                       ({"status": "received"}, "不能改为"), ({"status": "飞走"}, "没有“飞走”这个状态")):
        refused = browser.post(f"/console/tips/{first}/move", form)
        assert refused.status_code == 400 and says in refused.text and "/tip " not in refused.text, form
    unchanged = browser.post(f"/console/tips/{second}/move", {"status": "closed"})
    assert unchanged.status_code == 400 and "不能改为" in unchanged.text
    assert browser.post("/console/tips/WQ2099010001/move", {"status": "checking"}).status_code == 404
    with console.sessions() as session:
        assert session.scalars(select(Tip.status).where(Tip.number == first)).one() == "checking"
        assert len(session.scalars(select(OutboxMessage).where(OutboxMessage.text.like("你的举报%"))).all()) == 1
    assert len(_audit(console, "tip.move")) == 1
    assert '<td data-label="操作">更改线索状态</td>' in _admin_accounts_page(console)

    # a final status (办结, 不予受理) is asked first: the confirm page carries the note along
    asked = browser.post(f"/console/tips/{first}/move", {"status": "closed", "note": "已责令整改"})
    assert asked.status_code == 200 and "不能再改回" in asked.text and 'value="已责令整改"' in asked.text
    with console.sessions() as session:
        assert session.scalars(select(Tip.status).where(Tip.number == first)).one() == "checking"
    done = browser.post(f"/console/tips/{first}/move", {"status": "closed", "note": "已责令整改", "confirm": "yes"})
    assert done.status_code == 302
    with console.sessions() as session:
        assert session.scalars(select(Tip.status).where(Tip.number == first)).one() == "closed"


def _admin_accounts_page(console: RunningConsole) -> str:
    admin = console.client()
    admin.sign_in("boss")
    return admin.page("/console/accounts")


def test_a_move_without_the_csrf_token_is_refused_and_changes_nothing(console: RunningConsole,
                                                                      media: Path) -> None:
    first, _second, _third = _reports(console, media)
    browser = console.client()
    browser.sign_in("clerk")
    browser.page(f"/console/tips/{first}")
    response = browser.post(f"/console/tips/{first}/move", {"status": "checking"}, csrf=False)
    assert response.status_code == 403 and "表单已过期" in response.text
    forged = browser.http.post(f"/console/tips/{first}/move", data={"status": "checking", "_xsrf": "2|00|forged|1"})
    assert forged.status_code == 403
    with console.sessions() as session:
        assert session.scalars(select(Tip.status).where(Tip.number == first)).one() == "received"
        assert not session.scalars(select(OutboxMessage).where(OutboxMessage.text.like("你的举报%"))).all()
    assert _audit(console, "tip.move") == []


def test_the_months_workbook_has_contacts_only_for_an_admin_who_asks(console: RunningConsole, media: Path) -> None:
    first, second, third = _reports(console, media)
    month = dt.datetime.now(ZONE).strftime("%Y-%m")
    clerk = console.client()
    clerk.sign_in("clerk")
    assert "含联系方式" not in clerk.page("/console/tips")
    response = clerk.get(f"/console/tips/export.xlsx?month={month}")
    assert response.status_code == 200 and "spreadsheetml" in response.headers["content-type"]
    assert f'filename="tips-{month}.xlsx"' in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["举报"].iter_rows(values_only=True))
    assert "联系方式" not in rows[0] and [r[0] for r in rows[1:]] == [first, second, third]
    assert rows[0][1] == "提交时间（Asia/Shanghai，UTC+08:00）"  # local times, the zone named
    with console.sessions() as session:
        submitted = session.scalars(select(Tip.submitted_at).where(Tip.number == first)).one()
    assert rows[1][1] == f"{submitted.astimezone(ZONE):%Y-%m-%d %H:%M}"
    assert not any("13800000000" in str(cell) or "wx-secret" in str(cell) for row in rows for cell in row)
    assert clerk.get(f"/console/tips/export.xlsx?month={month}&contacts=1").status_code == 403
    empty = load_workbook(io.BytesIO(clerk.get("/console/tips/export.xlsx?month=2020-01").content))
    assert len(list(empty["举报"].iter_rows(values_only=True))) == 1  # the header only
    for bad in ("2026-13", "11月", ""):
        refused = clerk.get(f"/console/tips/export.xlsx?month={bad}")
        assert refused.status_code == 400 and "格式如 2026-11" in refused.text, bad

    boss = console.client()
    boss.sign_in("boss")
    assert "含联系方式" in boss.page("/console/tips")
    full = load_workbook(io.BytesIO(boss.get(f"/console/tips/export.xlsx?month={month}&contacts=1").content))
    rows = list(full["举报"].iter_rows(values_only=True))
    assert rows[0][-1] == "联系方式" and rows[1][-1] == "13800000000" and rows[3][-1] == "微信 wx-secret-contact"
    assert _audit(console, "tip.export") == [month, "2020-01", f"{month}（含联系方式）"]


# ---- 指标 -------------------------------------------------------------------------------------------
def test_a_figure_recorded_in_the_browser_is_shown_and_in_the_workbook(console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page("/console/indicators")
    assert "知识产权质押融资额" in page and "4078万元" in page and "7000万元" in page and "尚未录入" in page
    assert 'src="/console/indicators/chart.png"' in page and "还没有录入任何数据" in page
    form = {"indicator": "pledge-financing", "period": "2024", "value": "6,200", "source": "州市场监管局2024年统计公报"}
    response = browser.post("/console/indicators", form)
    assert response.status_code == 302 and response.headers["location"] == "/console/indicators"
    page = browser.page("/console/indicators")
    assert "已记录：知识产权质押融资额 2024年 = 6200万元" in page
    assert "<strong>6200万元</strong>" in page and "州市场监管局2024年统计公报" in page and "clerk（工作台）" in page
    assert "完成进度 73%" in page  # (6200 - 4078) / (7000 - 4078)
    corrected = browser.post("/console/indicators", {**form, "value": "6300"})
    assert corrected.status_code == 302 and "已更正" in browser.page("/console/indicators")
    assert _audit(console, "indicator.record") == [
        "pledge-financing 2024 = 6200（州市场监管局2024年统计公报）",
        "pledge-financing 2024 = 6300（州市场监管局2024年统计公报），原为 6200"]

    report = browser.get("/console/indicators/report.xlsx")
    assert report.status_code == 200 and "spreadsheetml" in report.headers["content-type"]
    assert "attachment" in report.headers["content-disposition"]
    book = load_workbook(io.BytesIO(report.content))
    row = next(r for r in book["指标"].iter_rows(values_only=True) if r[1] == "pledge-financing")
    assert row[7] == 6300 and row[8] == "2024年" and row[9] == "州市场监管局2024年统计公报"
    history = [r for r in book["历次数据"].iter_rows(values_only=True) if r[1] == "pledge-financing"]
    assert len(history) == 1 and history[0][4] == 6300 and history[0][7] == "clerk（工作台）"

    chart = browser.get("/console/indicators/chart.png")
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
    assert chart.content.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(("bad", "says"), [
    ({"value": "六千"}, "不是数字"), ({"value": "inf"}, "不是数字"),
    ({"indicator": "no-such-indicator"}, "没有指标“no-such-indicator”"),
    ({"period": "2019"}, "早于最早规划的基数年"), ({"period": "2024Q5"}, "季度不对"), ({"period": "明年"}, "看不懂"),
    ({"source": "  "}, "请写明数据来源"),
])
def test_a_bad_figure_is_refused_at_the_form_with_the_reason(console: RunningConsole, bad: dict[str, str],
                                                             says: str) -> None:
    browser = console.client()
    browser.sign_in("clerk")
    browser.page("/console/indicators")
    form = {"indicator": "pledge-financing", "period": "2024", "value": "6200", "source": "统计公报", **bad}
    response = browser.post("/console/indicators", form)
    assert response.status_code == 400 and says in response.text
    section = response.text[response.text.index('id="record"'):]
    assert section.index(says) < section.index("<form")  # said at the form, which keeps what was typed
    assert f'value="{form["period"]}"' in section
    assert _audit(console, "indicator.record") == []
    assert "尚未录入" in response.text and "还没有录入任何数据" in response.text
    assert browser.post("/console/indicators", form, csrf=False).status_code == 403


def test_the_final_evaluation_page_lists_every_indicator_and_gives_its_workbook_and_chart(
        console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("clerk")
    assert 'href="/console/indicators/evaluation"' in browser.page("/console/indicators")
    for period, value in (("2025", "7210"), ("2026", "7400")):  # 2026: the next plan's, not this evaluation's
        form = {"indicator": "pledge-financing", "period": period, "value": value, "source": f"{period}年统计公报"}
        assert browser.post("/console/indicators", form).status_code == 302
    assert "已记录" in browser.page("/console/indicators")  # the notice of the last one, shown once
    page = browser.page("/console/indicators/evaluation")
    assert "自治州知识产权“十四五”规划（2021—2025年）" in page and "终期评估" in page
    assert "<strong>7210万元</strong>" in page and "2025年统计公报" in page and "7400" not in page
    assert page.count("未录入") >= 10 and "地理标志保护示范区" in page  # none dropped
    assert "达到 <strong>1</strong> 项" in page and "未录入 <strong>10</strong> 项" in page
    assert "满意度调查各期（规划目标 85%）" in page and "不是同一口径" in page  # the survey's own caveat
    workbook = browser.get("/console/indicators/evaluation.xlsx")
    assert workbook.status_code == 200 and "attachment" in workbook.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(workbook.content))["终期评估"].iter_rows(values_only=True))
    assert len(rows) == 12 and next(r for r in rows if r[0] == "pledge-financing")[8] == 7210
    chart = browser.get("/console/indicators/evaluation.png")
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
    assert browser.get("/console/indicators/evaluation.csv").status_code == 404
