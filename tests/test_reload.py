"""The knowledge base reloads when its files change, without a restart, and never breaks the bot."""

from __future__ import annotations

from pathlib import Path

from knowledge.service import KnowledgeService


def _add_entry(kb_dir: Path, question: str) -> None:
    path = kb_dir / "entries" / "service.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"""
- id: new-parking
  topic: service-contact
  question: {question}
  alternates: [办事大厅附近能停车吗]
  keywords: [停车场, 停车位, 停车]
  answer: 办事大厅附近有公共停车位，节假日以通知为准。
  sources: [测试来源]
  updated: 2026-11-25
""", encoding="utf-8")


def test_an_edited_entry_is_answered_without_restart(kb_copy: Path) -> None:
    service = KnowledgeService(kb_copy, check_every=0)
    assert not service.engine.search("去市场监督管理局办事停车方便吗").confident
    _add_entry(kb_copy, "市场监督管理局办事大厅的停车场在哪？")
    result = service.engine.search("去市场监督管理局办事停车方便吗")
    assert result.confident and result.best is not None and result.best.entry.id == "new-parking"


def test_a_broken_edit_keeps_the_old_answers_and_reports_why(kb_copy: Path) -> None:
    service = KnowledgeService(kb_copy, check_every=0)
    path = kb_copy / "entries" / "trademark.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("topic: tm-fees", "topic: tm-oops"),
                    encoding="utf-8")
    result = service.engine.search("商标到期了怎么续展")
    assert result.confident and result.best is not None
    assert any("unknown topic 'tm-oops'" in str(p) for p in service.last_problems)
