"""The knowledge base reloads when its files change, without a restart, and never breaks the bot."""

from __future__ import annotations

from pathlib import Path

from knowledge.service import KnowledgeService


def _add_entry(kb_dir: Path, question: str) -> None:
    path = kb_dir / "entries" / "service.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"""
- id: new-office-hours
  topic: service-contact
  question: {question}
  alternates: [窗口营业时间]
  keywords: [办公时间, 上班时间]
  answer: 工作日上班时间办理，节假日以通知为准。
  sources: [测试来源]
  updated: 2026-11-25
""", encoding="utf-8")


def test_an_edited_entry_is_answered_without_restart(kb_copy: Path) -> None:
    service = KnowledgeService(kb_copy, check_every=0)
    assert not service.engine.search("市场监督管理局办公时间是几点").confident
    _add_entry(kb_copy, "市场监督管理局的办公时间？")
    result = service.engine.search("市场监督管理局办公时间是几点")
    assert result.confident and result.best is not None and result.best.entry.id == "new-office-hours"


def test_a_broken_edit_keeps_the_old_answers_and_reports_why(kb_copy: Path) -> None:
    service = KnowledgeService(kb_copy, check_every=0)
    path = kb_copy / "entries" / "trademark.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("topic: tm-fees", "topic: tm-oops"),
                    encoding="utf-8")
    result = service.engine.search("商标到期了怎么续展")
    assert result.confident and result.best is not None
    assert any("unknown topic 'tm-oops'" in str(p) for p in service.last_problems)
