"""新建条目 over real HTTP: a new entry written in the console is saved as a draft that answers nothing, checked
at its fields as `ipbot kb check` checks a file, published — answered in chat at once — and then versioned,
edited and reverted like every entry. Each kind of bad input is refused plainly and loses nothing."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from bot.core.messages import Incoming
from bot.core.models import AuditLog, KbEntryVersion
from tests.helpers import Browser, RunningConsole, learning_console

TITLE = "知识产权公共服务工作站在哪里？"
ANSWER = "博州知识产权公共服务工作站设在州市场监督管理局一楼服务大厅（工作台测试答案）。"
FORM = {"question": TITLE, "topic": "service-contact", "alternates": "知识产权工作站在哪\n公共服务工作站地址",
        "answer": ANSWER, "sources": "《知识产权公共服务体系建设规划》", "keywords": "工作站，公共服务"}


@pytest.fixture
def console(database_url: str) -> Iterator[RunningConsole]:
    with learning_console(database_url, "clerk", "staff") as running:
        yield running


@pytest.fixture
def browser(console: RunningConsole) -> Browser:
    signed_in = console.client()
    signed_in.sign_in("clerk")
    return signed_in


def _ask(console: RunningConsole, question: str) -> str:
    return "\n".join(r.text for r in console.app.router.handle(Incoming("terminal", "u1", "u1", text=question)))


def _refused(response: httpx.Response, message: str) -> str:
    assert response.status_code == 400
    assert f'<p class="error" role="alert">{message}' in response.text and 'class="flash"' not in response.text
    return response.text


def _versions(console: RunningConsole) -> list[KbEntryVersion]:
    with console.sessions() as session:
        return list(session.scalars(select(KbEntryVersion).order_by(KbEntryVersion.id)))


def test_a_new_entry_is_drafted_then_published_and_answered_in_chat_at_once(console: RunningConsole,
                                                                             browser: Browser) -> None:
    assert ANSWER not in _ask(console, TITLE)
    form = browser.page("/console/knowledge/new")
    assert '<optgroup label="规划与服务">' in form
    assert '<option value="service-contact">办事部门和联系方式</option>' in form  # topics by their Chinese names
    assert "请选择主题" in form and 'name="related"' not in form  # no entry id to type anywhere
    saved = browser.post("/console/knowledge/new", {**FORM, "do": "draft"})
    assert saved.status_code == 302
    draft_url = saved.headers["location"]
    entry_id = draft_url.rsplit("/", 1)[1]
    assert entry_id.startswith("service-contact-new-")  # made from the topic
    page = browser.page(draft_url)
    assert "草稿已保存" in page and TITLE in page and "还没有发布" in page
    assert ANSWER not in _ask(console, TITLE)  # a draft answers nothing
    assert TITLE in browser.page("/console/knowledge") and "草稿" in browser.page("/console/knowledge")
    assert browser.get(f"/console/knowledge/{entry_id}").headers["location"] == draft_url

    published = browser.post(draft_url, {**FORM, "do": "publish"})
    assert published.status_code == 302 and published.headers["location"] == f"/console/knowledge/{entry_id}"
    page = browser.page(f"/console/knowledge/{entry_id}")
    assert f"新条目“{TITLE}”已发布" in page and '<option value="service-contact" selected>' in page
    assert ANSWER in _ask(console, TITLE)  # at once
    assert ANSWER in _ask(console, "公共服务工作站地址")  # and its other phrasings
    assert "发布新条目" in page and "新建草稿" in page  # its versions, the drafts among them

    edited = browser.post(f"/console/knowledge/{entry_id}", {"answer": ANSWER + "（已更新）"})
    assert edited.status_code == 302 and "（已更新）" in _ask(console, TITLE)
    publish_version = next(v.id for v in _versions(console) if v.note == "发布新条目")
    assert browser.post(f"/console/knowledge/{entry_id}/revert",
                        {"version": str(publish_version), "confirm": "yes"}).status_code == 302
    assert "（已更新）" not in _ask(console, TITLE) and ANSWER in _ask(console, TITLE)
    with console.sessions() as session:
        actions = list(session.scalars(select(AuditLog.action)))
    assert actions.count("kb.draft") == 1 and actions.count("kb.publish") == 1


def test_a_draft_without_title_or_topic_is_not_saved_and_keeps_what_was_typed(console: RunningConsole,
                                                                            browser: Browser) -> None:
    page = _refused(browser.post("/console/knowledge/new", {**FORM, "question": " ", "topic": "", "do": "draft"}),
                    "没有保存：请填写标题并选择主题")
    assert "标题：不能为空" in page and "主题：请从列表里选择主题" in page
    assert ANSWER in page  # what was typed is still on the form
    page = _refused(browser.post("/console/knowledge/new", {**FORM, "topic": "no-such-topic", "do": "publish"}),
                    "没有保存")
    assert "主题：请从列表里选择主题" in page
    assert _versions(console) == []


def test_publishing_is_refused_at_the_fields_and_the_draft_kept(console: RunningConsole, browser: Browser) -> None:
    incomplete = {**FORM, "answer": "", "sources": "", "do": "publish"}
    page = _refused(browser.post("/console/knowledge/new", incomplete), "没有发布：请按下面标出的问题修改")
    assert "答案：不能为空" in page and "依据：不能为空" in page and TITLE in page
    assert ANSWER not in _ask(console, TITLE)
    drafts = _versions(console)
    assert len(drafts) == 1 and drafts[0].draft  # kept as a draft: nothing typed is lost
    draft_url = f"/console/knowledge/draft/{drafts[0].entry_id}"
    page = browser.page(draft_url)
    assert "答案：不能为空" in page  # the draft's page shows what stands in the way
    page = _refused(browser.post(draft_url, {**FORM, "answer": "长" * 1300, "do": "publish"}), "没有发布")
    assert "答案有1300字，请控制在1200字以内" in page
    saved = browser.post(draft_url, {**FORM, "answer": "", "do": "draft"})  # saving a draft with problems: fine
    assert saved.status_code == 302 and "还不能发布" in browser.page(draft_url)
    assert all(v.draft for v in _versions(console))
    published = browser.post(draft_url, {**FORM, "do": "publish"})
    assert "已发布" in browser.page(published.headers["location"])
    assert ANSWER in _ask(console, TITLE)
    # the same draft posted again after it was published: said plainly, and the text kept as a new draft
    page = _refused(browser.post(draft_url, {**FORM, "do": "publish"}), "没有这份草稿（可能已经发布）")
    assert ANSWER in page and 'action="/console/knowledge/new"' in page


def test_bad_requests_for_new_entries(console: RunningConsole, browser: Browser) -> None:
    assert browser.get("/console/knowledge/draft/no-such-draft").status_code == 404
    assert browser.post("/console/knowledge/new", {**FORM, "do": "delete-everything"}).status_code == 400
    assert browser.post("/console/knowledge/new", {**FORM, "do": "publish"}, csrf=False).status_code == 403
    assert console.client().post("/console/knowledge/new", {**FORM, "do": "publish"}).status_code == 403
    assert _versions(console) == []
    published = browser.post("/console/knowledge/new", {**FORM, "do": "publish"})
    entry_id = published.headers["location"].rsplit("/", 1)[1]
    assert "已发布" in browser.page(published.headers["location"])
    drafts_of_it = [v.id for v in _versions(console) if v.draft]
    _refused(browser.post(f"/console/knowledge/{entry_id}/revert", {"version": str(drafts_of_it[0]), "confirm": "yes"}),
             "没有版本")
    page = browser.page("/console/knowledge/new")
    assert "<script>" not in browser.post("/console/knowledge/new", {
        **FORM, "question": "<script>alert(1)</script>", "answer": "", "do": "publish"}).text
    assert "请选择主题" in page
