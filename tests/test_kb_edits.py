"""Entries edited by staff: checked like a file, answered by every instance, versioned, reverted, exported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from handlers import kb_drafts, kb_edits
from handlers.taught_phrasings import LearnedSource
from knowledge.service import KnowledgeService
from tests.cli_runner import ipbot

ENTRY = "tm-renewal-rules"
QUESTION = "商标到期怎么续展"
NOW = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 2)


@pytest.fixture
def live(sessions: sessionmaker[Session]) -> KnowledgeService:
    return KnowledgeService(overlay=LearnedSource(sessions), check_every=0)


def _save(sessions: sessionmaker[Session], live: KnowledgeService, **fields: str) -> kb_edits.Saved:
    with sessions.begin() as session:
        return kb_edits.save(session, live.engine.kb, ENTRY, kb_edits.from_form(fields), "console:wang", NOW, TODAY)


def test_a_saved_edit_is_answered_by_another_instance_and_can_be_reverted(
        sessions: sessionmaker[Session], live: KnowledgeService) -> None:
    other = KnowledgeService(overlay=LearnedSource(sessions), check_every=0)
    before = other.engine.search(QUESTION).best
    assert before is not None and before.entry.id == ENTRY
    original = before.entry.answer
    saved = _save(sessions, live, answer="续展：注册商标有效期满前十二个月内申请（测试新答案）。")
    assert saved.ok and saved.version is not None and "答案" in saved.version.note
    after = other.engine.search(QUESTION).best
    assert after is not None and after.entry.answer.endswith("（测试新答案）。")
    assert after.entry.updated == TODAY
    with sessions.begin() as session:
        versions = kb_edits.history(session, ENTRY)
        assert [v.author for v in versions] == ["console:wang"]
        kb_edits.revert(session, live.files, ENTRY, None, "console:li", NOW)
    back = other.engine.search(QUESTION).best
    assert back is not None and back.entry.answer == original


def test_a_bad_edit_is_refused_with_the_problem_at_its_field_and_changes_nothing(
        sessions: sessionmaker[Session], live: KnowledgeService) -> None:
    saved = _save(sessions, live, answer="", related="tm-renewal-rules no-such-entry", topic="nope")
    fields = {name for name, _message in saved.problems}
    assert not saved.ok and {"answer", "related"} <= fields
    assert any("不能为空" in message for _name, message in saved.problems)
    assert any("no-such-entry" in message for _name, message in saved.problems)
    best = live.engine.search(QUESTION).best
    assert best is not None and best.entry.answer  # the old answer still stands


def test_too_long_an_answer_is_refused_in_chinese(sessions: sessionmaker[Session], live: KnowledgeService) -> None:
    saved = _save(sessions, live, answer="长" * 1300)
    assert [(name, message) for name, message in saved.problems] == [("answer", "答案有1300字，请控制在1200字以内")]


def test_an_unknown_entry_cannot_be_edited(sessions: sessionmaker[Session], live: KnowledgeService) -> None:
    with sessions.begin() as session:
        saved = kb_edits.save(session, live.engine.kb, "no-such", {"answer": "x"}, "console:wang", NOW, TODAY)
    assert not saved.ok and "没有ID为“no-such”的条目" in saved.problems[0][1]


def test_revert_to_an_earlier_version(sessions: sessionmaker[Session], live: KnowledgeService) -> None:
    first = _save(sessions, live, answer="第一版答案。")
    _save(sessions, live, answer="第二版答案。")
    assert first.version is not None
    with sessions.begin() as session:
        kb_edits.revert(session, live.files, ENTRY, first.version.id, "console:li", NOW)
    best = live.engine.search(QUESTION).best
    assert best is not None and best.entry.answer == "第一版答案。"
    with sessions() as session:
        assert len(kb_edits.history(session, ENTRY)) == 3  # nothing is overwritten


def test_ipbot_kb_export_writes_the_edits_into_files_that_pass_the_check(
        sessions: sessionmaker[Session], live: KnowledgeService, database_url: str, tmp_path: Path) -> None:
    _save(sessions, live, answer="导出测试的新答案。", alternates="商标续展怎么办\n注册商标快到期了")
    new = {"question": "知识产权公共服务工作站在哪里？", "topic": "service-contact", "answer": "在州市场监督管理局。",
           "sources": "《知识产权公共服务体系建设规划》"}
    with sessions.begin() as session:  # one new entry published, one left a draft
        published = kb_drafts.save_draft(session, live.engine.kb, None, new, "console:wang", NOW, TODAY).entry_id
        assert published is not None and kb_drafts.publish(session, live.engine.kb, published, "console:wang", NOW,
                                                           TODAY).ok
        kb_drafts.save_draft(session, live.engine.kb, None, {**new, "question": "还没写完的草稿"}, "console:wang",
                             NOW, TODAY)
    out = tmp_path / "kb"
    env = {"IPBOT_DATABASE_URL": database_url}
    done = ipbot("kb", "export", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert "entries/trademark.yaml" in done.stdout
    entries = yaml.safe_load((out / "entries" / "trademark.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in entries if e["id"] == ENTRY)
    assert entry["answer"] == "导出测试的新答案。" and entry["alternates"] == ["商标续展怎么办", "注册商标快到期了"]
    added = yaml.safe_load((out / "entries" / "added.yaml").read_text(encoding="utf-8"))  # written in the console
    assert [e["question"] for e in added if e["id"] == published] == ["知识产权公共服务工作站在哪里？"]
    assert not any(e["question"] == "还没写完的草稿" for e in added)  # a draft is nobody's answer yet
    untouched = (out / "entries" / "patent.yaml").read_text(encoding="utf-8")
    assert untouched == (Path(live.data_dir) / "entries" / "patent.yaml").read_text(encoding="utf-8")
    checked = ipbot("kb", "check", env={**env, "IPBOT_KNOWLEDGE_DIR": str(out)})
    assert checked.returncode == 0, checked.stdout
