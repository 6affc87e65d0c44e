"""The console's 待处理问题 and 知识库 pages over real HTTP: teaching from the browser, editing an entry with the
problems shown at their fields, publishing (answered at once, and by `ipbot ask`), versions and revert."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from bot.core.messages import Incoming
from bot.core.models import AuditLog
from tests.cli_runner import ipbot
from tests.helpers import RunningConsole, learning_console

MISSED = "我们合作社的牌子被隔壁县的人用了"
ENTRY = "tm-renewal-rules"


@pytest.fixture
def console(database_url: str) -> Iterator[RunningConsole]:
    with learning_console(database_url, "clerk", "staff") as running:
        yield running


def _ask(console: RunningConsole, question: str, user: str = "u1") -> str:
    replies = console.app.router.handle(Incoming("terminal", user, user, text=question))
    return "\n".join(r.text for r in replies)


def _cli_ask(database_url: str, question: str) -> dict[str, object]:
    done = ipbot("ask", "--json", question, env={"IPBOT_DATABASE_URL": database_url})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_a_question_is_taught_from_the_queue_and_answered_at_once(console: RunningConsole) -> None:
    assert "不太确定" in _ask(console, MISSED)
    _ask(console, MISSED, user="u2")
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page("/console/questions")
    assert MISSED in page and "2 次" in page and "归入：" in page and "不属于知识产权" in page
    number = page.split("编号 ", 1)[1].split("：", 1)[0]
    response = browser.post(f"/console/questions/{number}/teach", {"entry": "tm-infringement-what"})
    assert response.status_code == 302
    assert "已记住" in browser.page("/console/questions")
    assert "不太确定" not in _ask(console, MISSED)
    with console.sessions() as session:
        actions = list(session.scalars(select(AuditLog.action)))
    assert "question.teach" in actions


def _number(page: str, text: str) -> str:
    """The 编号 of the group asked as `text` on the 待处理问题 page."""
    return page.split(f"：{text}<", 1)[0].rsplit("编号 ", 1)[1]


def _refused(response: httpx.Response, message: str) -> None:
    """Refused plainly: said as a warning on the page, never as a (green) success."""
    assert response.status_code == 400
    assert f'<p class="error" role="alert">{message}' in response.text
    assert 'class="flash"' not in response.text


def test_staff_teach_by_picking_an_entry_found_by_its_chinese_title(console: RunningConsole) -> None:
    _ask(console, MISSED)
    browser = console.client()
    browser.sign_in("clerk")
    queue = browser.page("/console/questions")
    assert 'placeholder="例如 pledge-steps"' not in queue and "按标题查找其他条目" in queue  # no id to type
    number = _number(queue, MISSED)
    page = browser.page(f"/console/questions/{number}/teach")
    engine = console.app.router.knowledge.engine
    closest = engine.search(MISSED).hits[0].entry
    suggested = page.split("建议的条目", 1)[1].split("按标题查找", 1)[0]
    assert suggested.index(closest.question) < min(  # the engine's closest first, with its topic's name
        suggested.index(hit.entry.question) for hit in engine.search(MISSED).hits[1:])
    assert engine.kb.topic_name(closest.topic) in suggested
    found = browser.page(f"/console/questions/{number}/teach?q=商标侵权")
    results = found.split("查找结果：商标侵权", 1)[1]
    assert "哪些行为属于商标侵权？" in results and "商标侵权" in results  # the title, and its topic's name
    assert results.index("哪些行为属于商标侵权？") < results.index("归入此条")  # a title-match leads
    chosen = results.split("哪些行为属于商标侵权？", 1)[1].split('name="entry" value="', 1)[1].split('"', 1)[0]
    response = browser.post(f"/console/questions/{number}/teach", {"entry": chosen})
    assert response.status_code == 302
    assert "已记住" in browser.page("/console/questions")
    assert _ask(console, MISSED).startswith("下列行为属于侵犯注册商标专用权")  # answered with the entry picked
    nothing = browser.page(f"/console/questions/{number}/teach?q=zzqq")
    assert "没有标题或问法含“zzqq”的条目" in nothing and "已归入条目" in nothing


def test_a_wrong_or_missing_target_is_refused_plainly_and_teaches_nothing(console: RunningConsole) -> None:
    _ask(console, MISSED)
    browser = console.client()
    browser.sign_in("clerk")
    number = _number(browser.page("/console/questions"), MISSED)
    for entry, message in (("no-such-entry", "没有归入：找不到这个条目"), ("", "请从建议或查找结果里选一个条目"),
                           ("TM-RENEWAL-RULES", "没有归入：找不到这个条目"), ("x" * 500, "没有归入：找不到这个条目")):
        _refused(browser.post(f"/console/questions/{number}/teach", {"entry": entry}), message)
    _refused(browser.post("/console/questions/999999/teach", {"entry": ENTRY}), "没有编号为 999999 的问题")
    _refused(browser.post("/console/questions/999999/not-ip"), "没有编号为 999999 的问题")
    assert browser.get("/console/questions/999999/teach").status_code == 404
    assert browser.get(f"/console/questions/{number}/ignore").status_code == 405
    assert "不太确定" in _ask(console, MISSED)  # nothing was taught
    assert browser.post(f"/console/questions/{number}/ignore").status_code == 302
    assert "已忽略" in browser.page("/console/questions")  # the success, shown once after the redirect
    _refused(browser.post(f"/console/questions/{number}/ignore"), f"编号{number}的问题已经处理过了")
    with console.sessions() as session:
        actions = list(session.scalars(select(AuditLog.action)))
    assert actions.count("question.ignore") == 1 and "question.teach" not in actions


def test_handled_questions_leave_the_overview(console: RunningConsole) -> None:
    asked = {"taught": MISSED, "not_ip": "我们那个牌子咋弄", "ignored": "今天中午吃什么好", "left": "那个东西怎么弄呀"}
    for text in asked.values():
        _ask(console, text)
    browser = console.client()
    browser.sign_in("clerk")
    def to_handle() -> str:
        return browser.page("/console/").split("还没处理的问题", 1)[1].split("</section>", 1)[0]

    assert all(text in to_handle() for text in asked.values())
    queue = browser.page("/console/questions")
    numbers = {key: _number(queue, text) for key, text in asked.items()}
    browser.post(f"/console/questions/{numbers['taught']}/teach", {"entry": "tm-infringement-what"})
    browser.post(f"/console/questions/{numbers['not_ip']}/not-ip")
    browser.post(f"/console/questions/{numbers['ignored']}/ignore")
    overview = to_handle()
    assert asked["left"] in overview
    assert not any(asked[key] in overview for key in ("taught", "not_ip", "ignored"))
    assert f'href="/console/questions/{numbers["left"]}/teach"' in overview  # handled from there


def test_marking_not_ip_keeps_the_specific_referral(console: RunningConsole) -> None:
    mortgage = "房子抵押贷款怎么办理"
    before = _ask(console, mortgage)
    assert "银行" in before and "不动产登记机构" in before
    _ask(console, "我们那个牌子咋弄")
    browser = console.client()
    browser.sign_in("clerk")
    queue = browser.page("/console/questions")
    for text in (mortgage, "我们那个牌子咋弄"):
        assert browser.post(f"/console/questions/{_number(queue, text)}/not-ip").status_code == 302
    after = _ask(console, mortgage)
    assert "银行" in after and "不动产登记机构" in after and "12345" not in after
    assert "12345" in _ask(console, "我们那个牌子咋弄")  # no office named for it: the general hotline


def test_topics_are_shown_by_their_chinese_names(console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("clerk")
    listing = browser.page("/console/knowledge")
    assert "<td>商标续展</td>" in listing and "<td>tm-renewal</td>" not in listing
    entry = browser.page(f"/console/knowledge/{ENTRY}")
    assert '<option value="tm-renewal" selected>商标续展</option>' in entry and '<optgroup label="商标">' in entry
    tried = browser.page("/console/knowledge?try=商标到期怎么续展")
    assert "<td>商标续展</td>" in tried


def test_not_ip_and_ignore_from_the_browser(console: RunningConsole) -> None:
    _ask(console, "我们那个牌子咋弄")
    _ask(console, "今天中午吃什么好")
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page("/console/questions")
    numbers = {text.split("：", 1)[1].split("<", 1)[0]: text.split("：", 1)[0]
               for text in page.split("编号 ")[1:]}
    browser.post(f"/console/questions/{numbers['我们那个牌子咋弄']}/not-ip")
    browser.post(f"/console/questions/{numbers['今天中午吃什么好']}/ignore")
    assert "没有待处理的问题" in browser.page("/console/questions")
    assert "不属于知识产权业务" in _ask(console, "我们那个牌子咋弄")


def test_the_try_box_shows_the_entries_a_question_reaches(console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page("/console/knowledge?try=商标到期怎么续展")
    assert "有把握" in page and ENTRY in page and "商标到期了怎么续展？" in page
    page = browser.page("/console/knowledge?try=今天中午吃什么好")
    assert "没有找到相关条目" in page
    assert ENTRY in browser.page("/console/knowledge?q=续展") and "pledge-what-is" not in \
        browser.page("/console/knowledge?q=续展")


def test_an_edit_is_checked_at_its_field_then_published_and_reverted(
        console: RunningConsole, database_url: str) -> None:
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page(f"/console/knowledge/{ENTRY}")
    assert 'name="answer"' in page and 'name="alternates"' in page
    bad = browser.post(f"/console/knowledge/{ENTRY}", {"answer": "", "related": "nope-entry"})
    assert bad.status_code == 400
    assert "答案：不能为空" in bad.text and "相关条目“nope-entry”不存在" in bad.text
    old = _ask(console, "商标到期怎么续展")
    assert "续展" in old  # the refused edit changed nothing
    new_answer = "注册商标有效期10年，期满前12个月内续展（工作台测试新答案）。"
    good = browser.post(f"/console/knowledge/{ENTRY}", {"answer": new_answer, "note": "测试"})
    assert good.status_code == 302
    assert "已保存并发布" in browser.page(f"/console/knowledge/{ENTRY}")
    assert "工作台测试新答案" in _ask(console, "商标到期怎么续展")
    assert "工作台测试新答案" in str(_cli_ask(database_url, "商标到期怎么续展")["answer"])
    assert "已修改" in browser.page("/console/knowledge")
    asked = browser.post(f"/console/knowledge/{ENTRY}/revert", {"version": "file"})
    assert asked.status_code == 200 and "确认恢复" in asked.text  # asked first: nothing changed yet
    assert "工作台测试新答案" in _ask(console, "商标到期怎么续展")
    reverted = browser.post(f"/console/knowledge/{ENTRY}/revert", {"version": "file", "confirm": "yes"})
    assert reverted.status_code == 302
    assert _ask(console, "商标到期怎么续展") == old
    page = browser.page(f"/console/knowledge/{ENTRY}")
    assert "恢复为软件自带的版本" in page and "clerk" in page  # the history: who, and what


def test_editing_needs_a_session_and_a_csrf_token(console: RunningConsole) -> None:
    stranger = console.client()
    assert stranger.post(f"/console/knowledge/{ENTRY}", {"answer": "篡改"}).status_code == 403
    browser = console.client()
    browser.sign_in("clerk")
    assert browser.post(f"/console/knowledge/{ENTRY}", {"answer": "篡改"}, csrf=False).status_code == 403
    assert "篡改" not in _ask(console, "商标到期怎么续展")
    assert browser.get("/console/knowledge/no-such-entry").status_code == 404


def test_entry_text_is_escaped(console: RunningConsole) -> None:
    browser = console.client()
    browser.sign_in("clerk")
    browser.post(f"/console/knowledge/{ENTRY}", {"answer": "<script>alert(1)</script>续展"})
    page = browser.page(f"/console/knowledge/{ENTRY}")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_related_entries_are_picked_by_their_titles_not_typed_as_ids(console: RunningConsole) -> None:
    kb = console.app.router.knowledge.engine.kb
    entry = kb.entry(ENTRY)
    assert entry is not None
    browser = console.client()
    browser.sign_in("clerk")
    page = browser.page(f"/console/knowledge/{ENTRY}")
    assert '<select id="f-related" name="related" multiple' in page and "相关条目ID" not in page
    for related in entry.related:  # the entry's related entries are shown chosen, by their titles
        assert f'<option value="{related}" selected>{kb.entry(related).question}</option>' in page  # type: ignore[union-attr]
    picked = ["tm-how-long", "pledge-trademark-registration"]
    assert all(kb.entry(p) is not None for p in picked)
    saved = browser.post(f"/console/knowledge/{ENTRY}", {"related": ["", *picked], "note": "相关条目"})
    assert saved.status_code == 302
    assert list(console.app.router.knowledge.engine.kb.entry(ENTRY).related) == picked  # type: ignore[union-attr]
    forged = browser.post(f"/console/knowledge/{ENTRY}", {"related": ["", "no-such-entry"]})
    assert forged.status_code == 400 and "相关条目“no-such-entry”不存在" in forged.text  # refused at its field
    cleared = browser.post(f"/console/knowledge/{ENTRY}", {"related": [""]})  # every pick taken off
    assert cleared.status_code == 302 and not console.app.router.knowledge.engine.kb.entry(ENTRY).related  # type: ignore[union-attr]
