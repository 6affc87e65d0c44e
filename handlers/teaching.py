"""Staff teach the bot what it missed: the review queue, teaching a phrasing to an entry, marking one not about
IP, ignoring one. What is taught is kept by handlers/taught_phrasings.py, which every running instance reads.

The queue groups the questions of the last REVIEW_DAYS the bot was unsure about, or that someone marked 没用,
by their comparable form (the same question asked ten times is one group with a count). A group's 编号 is the
id of its latest logged question. Teaching stores the phrasing (who, when: handlers/taught_phrasings.py) and
marks the group's questions reviewed; the chat (/unanswered, /teach) and the console use these same functions.

Payloads of this feature's buttons: `t:<编号>:<entry id>` teaches, `t:<编号>:-` marks not about IP,
`t:<编号>:x` ignores.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from bot.core.messages import Button, Incoming, Reply
from bot.core.models import QuestionLog
from handlers import taught_phrasings
from handlers.context import Context
from handlers.texts import teaching as text
from knowledge.engine import SearchEngine
from knowledge.loader import Entry
from knowledge.overlay import phrasing_key

REVIEW_DAYS = 30
QUEUE_LIMIT = 10  # groups shown in chat at once
CLOSEST = 2  # entries offered as "归入 …" buttons
MAX_SCANNED = 5000  # logged questions looked at for one queue
PAYLOAD = re.compile(r"^t:")
TEACH_PAYLOAD = re.compile(r"^t:(\d{1,12}):(-|x|[a-z0-9][a-z0-9-]{0,47})$")
NOT_IP, IGNORE = "-", "x"
NOT_IP_WORDS = frozenset({"不属于知识产权", "不属于", "无关", "非知识产权", "not-ip", "-"})
TAUGHT, MARKED_NOT_IP, IGNORED = "taught", "not_ip", "ignored"


# ---- the queue -----------------------------------------------------------------------------------------
@dataclass
class Group:
    number: int  # the latest logged question of the group: what /teach and the buttons name
    text: str  # as last asked
    key: str
    times: int = 0
    unsure: bool = False
    unhelpful: bool = False
    last_asked: dt.datetime | None = None
    question_ids: list[int] = field(default_factory=list)
    closest: list[Entry] = field(default_factory=list)

    @property
    def why(self) -> str:
        if self.unsure and self.unhelpful:
            return text.WHY_BOTH
        return text.WHY_UNHELPFUL if self.unhelpful else text.WHY_UNSURE


def _reviewable(since: dt.datetime) -> list[ColumnElement[bool]]:
    return [QuestionLog.created_at >= since, QuestionLog.reason != "button", QuestionLog.review.is_(None),
            or_(QuestionLog.confident.is_(False), QuestionLog.feedback == "unhelpful")]


def review_queue(session: Session, engine: SearchEngine | None, now: dt.datetime,
                 days: int = REVIEW_DAYS) -> list[Group]:
    """Every open group, most asked first (then the most recent). With an engine, each carries the entries
    closest to it (for the 归入 buttons)."""
    rows = session.execute(
        select(QuestionLog.id, QuestionLog.text, QuestionLog.created_at, QuestionLog.confident, QuestionLog.feedback)
        .where(*_reviewable(now - dt.timedelta(days=days)))
        .order_by(QuestionLog.id.desc()).limit(MAX_SCANNED)).all()
    groups: dict[str, Group] = {}
    for row_id, asked, created_at, confident, feedback in rows:  # newest first
        key = phrasing_key(asked)
        if not key:
            continue
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(row_id, asked, key, last_asked=created_at)
        group.times += 1
        group.unsure |= not confident
        group.unhelpful |= feedback == "unhelpful"
        group.question_ids.append(row_id)
    ordered = sorted(groups.values(), key=lambda g: (-g.times, -g.number))
    if engine is not None:
        for group in ordered:
            group.closest = closest_entries(engine, group.text)
    return ordered


def closest_entries(engine: SearchEngine, question: str, limit: int = CLOSEST) -> list[Entry]:
    result = engine.search(question)
    return [hit.entry for hit in result.hits[:limit]]


# ---- teaching ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    times: int = 0  # logged questions the change covered


def _group_of(session: Session, number: int, now: dt.datetime) -> tuple[QuestionLog | None, list[int]]:
    """The logged question and the ids of the open questions of its group (itself included)."""
    row = session.get(QuestionLog, number)
    if row is None:
        return None, []
    key = phrasing_key(row.text)
    since = min(row.created_at, now - dt.timedelta(days=REVIEW_DAYS))
    candidates = session.execute(select(QuestionLog.id, QuestionLog.text).where(*_reviewable(since))
                                 .limit(MAX_SCANNED)).all()
    ids = {row_id for row_id, asked in candidates if phrasing_key(asked) == key}
    if row.review is None:
        ids.add(row.id)
    return row, sorted(ids)


def _already(row: QuestionLog) -> Outcome:
    how = {TAUGHT: text.HOW_TAUGHT, MARKED_NOT_IP: text.HOW_NOT_IP}.get(row.review or "", text.HOW_IGNORED)
    return Outcome(False, text.ALREADY.format(number=row.id, how=how))


def _count(times: int) -> str:
    return text.GROUP_COUNT.format(times=times) if times > 1 else ""


def _mark(session: Session, ids: list[int], review: str) -> None:
    if ids:
        session.execute(update(QuestionLog).where(QuestionLog.id.in_(ids)).values(review=review))


def teach(session: Session, engine: SearchEngine, number: int, entry_id: str, who: str,
          now: dt.datetime) -> Outcome:
    """Answer the question logged as `number` (and the same phrasing from now on) with this entry."""
    row, ids = _group_of(session, number, now)
    if row is None:
        return Outcome(False, text.NO_SUCH_QUESTION.format(number=number))
    entry = engine.kb.entry(entry_id)
    if entry is None:
        return Outcome(False, text.NO_SUCH_ENTRY.format(entry_id=entry_id, closest=_closest_ids(engine, entry_id,
                                                                                               row.text)))
    if not phrasing_key(row.text):
        return Outcome(False, text.NO_SUCH_QUESTION.format(number=number))
    taught_phrasings.remember(session, row.text, entry.id, who, now, row.id)
    _mark(session, ids, TAUGHT)
    return Outcome(True, text.TAUGHT.format(text=row.text.strip()[:60], question=entry.question, entry_id=entry.id,
                                            count=_count(len(ids))), len(ids))


def mark_not_ip(session: Session, number: int, who: str, now: dt.datetime) -> Outcome:
    """Decline the question logged as `number` (and the same phrasing from now on) as not about IP."""
    row, ids = _group_of(session, number, now)
    if row is None or not phrasing_key(row.text):
        return Outcome(False, text.NO_SUCH_QUESTION.format(number=number))
    taught_phrasings.remember(session, row.text, None, who, now, row.id)
    _mark(session, ids, MARKED_NOT_IP)
    return Outcome(True, text.MARKED_NOT_IP.format(text=row.text.strip()[:60], count=_count(len(ids))), len(ids))


def ignore(session: Session, number: int, now: dt.datetime) -> Outcome:
    """Take the group out of the queue without teaching anything."""
    row, ids = _group_of(session, number, now)
    if row is None:
        return Outcome(False, text.NO_SUCH_QUESTION.format(number=number))
    if not ids:
        return _already(row)
    _mark(session, ids, IGNORED)
    return Outcome(True, text.IGNORED.format(text=row.text.strip()[:60], count=_count(len(ids))), len(ids))


def _closest_ids(engine: SearchEngine, typed: str, question: str) -> str:
    ids = [e.id for e in engine.kb.entries]
    near = difflib.get_close_matches(typed, ids, n=3, cutoff=0.5)
    near += [e.id for e in closest_entries(engine, question, 3) if e.id not in near]
    return text.CLOSEST.format(ids="、".join(near[:4])) if near else ""


# ---- chat ----------------------------------------------------------------------------------------------
def queue_replies(session: Session, engine: SearchEngine, now: dt.datetime, zone: ZoneInfo) -> list[Reply]:
    """/unanswered: a title, then one message per group with its buttons."""
    groups = review_queue(session, None, now)
    if not groups:
        return [Reply(text.QUEUE_NONE.format(days=REVIEW_DAYS))]
    replies = [Reply(text.QUEUE_TITLE.format(days=REVIEW_DAYS, count=len(groups)))]
    for group in groups[:QUEUE_LIMIT]:
        group.closest = closest_entries(engine, group.text)
        last = f"{group.last_asked.astimezone(zone):%m-%d %H:%M}" if group.last_asked else "—"
        rows: list[tuple[Button, ...]] = [
            (Button(text.TEACH_TO.format(question=entry.question[:30]), payload),) for entry in group.closest
            if len(payload := f"t:{group.number}:{entry.id}") <= 64]
        rows.append((Button(text.NOT_IP, f"t:{group.number}:{NOT_IP}"), Button(text.IGNORE, f"t:{group.number}:x")))
        replies.append(Reply(text.QUEUE_LINE.format(number=group.number, text=group.text[:120], times=group.times,
                                                    why=group.why, last=last), tuple(rows)))
    if len(groups) > QUEUE_LIMIT:
        replies.append(Reply(text.QUEUE_MORE.format(more=len(groups) - QUEUE_LIMIT)))
    return replies


def unanswered(ctx: Context, _incoming: Incoming, _argument: str) -> list[Reply]:
    return queue_replies(ctx.session, ctx.engine, ctx.now, ctx.zone)


def command(ctx: Context, incoming: Incoming, argument: str) -> list[Reply]:
    """/teach 编号 条目ID"""
    outcome = teach_command(ctx.session, ctx.engine, argument, str(incoming.sender), ctx.now)
    if outcome.ok:
        ctx.knowledge_changed()
    return [Reply(outcome.message)]


def button(ctx: Context, incoming: Incoming, payload: str) -> list[Reply] | None:
    outcome = on_payload(ctx.session, ctx.engine, payload, str(incoming.sender), ctx.now)
    if outcome is None:
        return None
    if outcome.ok:
        ctx.knowledge_changed()
    return [Reply(outcome.message)]


def teach_command(session: Session, engine: SearchEngine, argument: str, who: str, now: dt.datetime) -> Outcome:
    """/teach 编号 条目ID, or /teach 编号 不属于知识产权."""
    parts = argument.split()
    if len(parts) != 2 or not parts[0].isdigit() or len(parts[0]) > 12:
        return Outcome(False, text.TEACH_HOW)
    number, target = int(parts[0]), parts[1].strip()
    if target in NOT_IP_WORDS:
        return mark_not_ip(session, number, who, now)
    return teach(session, engine, number, target.lower(), who, now)


def on_payload(session: Session, engine: SearchEngine, payload: str, who: str, now: dt.datetime) -> Outcome | None:
    match = TEACH_PAYLOAD.match(payload)
    if match is None:
        return None
    number, target = int(match.group(1)), match.group(2)
    if target == NOT_IP:
        return mark_not_ip(session, number, who, now)
    if target == IGNORE:
        return ignore(session, number, now)
    return teach(session, engine, number, target, who, now)
