"""What every handler is given: one Context instead of varying mixes of positional arguments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core.messages import Incoming

if TYPE_CHECKING:  # annotations only: a handler module that names Context loads no database layer for it
    from sqlalchemy.orm import Session

    from handlers.survey.definition import SurveyDefinition
    from knowledge.engine import SearchEngine


@dataclass(frozen=True)
class Context:
    session: Session  # the message's transaction: everything a handler writes commits with its replies
    engine: SearchEngine  # the knowledge base as loaded now
    staff_ids: frozenset[str]  # telegram:123, wecom:zhangsan
    now: dt.datetime  # aware UTC: the one clock, read once per message
    zone: ZoneInfo  # for dates shown to people
    survey: SurveyDefinition
    survey_salt: str
    knowledge_changed: Callable[[], None] = field(default=lambda: None)  # after teaching: every instance looks
    media: Path | None = None  # the media folder (report photos; handlers/tips/photos.py)

    def is_staff(self, incoming: Incoming) -> bool:
        return str(incoming.sender) in self.staff_ids
