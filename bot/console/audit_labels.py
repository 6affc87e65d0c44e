"""The audit log as a person reads it: each action in Chinese (texts.ACTIONS; an action without a label yet
is named by its area, never by its code) and the role codes older entries carry in Chinese too."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.console import texts
from bot.core.models import AuditLog

_ROLE = re.compile(r"\b(admin|staff)\b")


@dataclass(frozen=True)
class Shown:
    at: dt.datetime
    account: str
    action: str
    detail: str
    address: str


def action_label(code: str) -> str:
    if code in texts.ACTIONS:
        return texts.ACTIONS[code]
    return texts.AUDIT_AREAS.get(code.split(".", 1)[0], texts.AUDIT_OTHER_AREA) + texts.AUDIT_OTHER_ACTION


def detail_text(code: str, detail: str) -> str:
    if code in ("account.add", "account.role"):  # entries written before roles were recorded in Chinese
        return _ROLE.sub(lambda m: texts.ROLE_NAMES[m.group(1)], detail).replace(" (", "（").replace(")", "）")
    return detail


def shown(entry: AuditLog) -> Shown:
    return Shown(entry.at, entry.account, action_label(entry.action), detail_text(entry.action, entry.detail),
                 entry.address)
