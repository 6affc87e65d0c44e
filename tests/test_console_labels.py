"""What a person reads in the console is in Chinese: the audit log's actions (every one the code records) and
the role codes older entries carry."""

from __future__ import annotations

import re
from pathlib import Path

from bot.console import audit_labels, texts

CONSOLE = Path(__file__).resolve().parents[1] / "bot" / "console"


def test_every_action_the_console_records_reads_in_chinese() -> None:
    """The audit log shows actions in words: each one the console's code records has a Chinese label (a new
    action without one would show as its area's 其他操作 — this names it instead)."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in CONSOLE.glob("*.py"))
    recorded = set(re.findall(r'audit\((?:s|session), "([a-z][a-z.-]*)"', source))
    recorded |= set(re.findall(r'audit\.record\(session, [^,]+, "([a-z][a-z.-]*)"', source))
    recorded |= {"account.disable", "account.enable"}  # written as f"account.{action}"
    assert {"login", "account.reset", "account.password", "survey.close", "reminder.cancel"} <= recorded
    assert sorted(recorded - set(texts.ACTIONS)) == []
    assert re.search(r"[a-z]", "".join(texts.ACTIONS.values())) is None
    assert audit_labels.action_label("kb.something-new") == "知识库的其他操作"
    assert audit_labels.detail_text("account.add", "li (staff)") == "li（工作人员）"
