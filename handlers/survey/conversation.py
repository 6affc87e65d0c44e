"""The satisfaction survey in chat: consent → group → county → each item → optional comment → thanks. The
steps are one table (STEPS below: what each asks, its choices, what a choice stores, where it leads); the
wording, groups, counties and items come from the definition file (handlers/survey/data/survey.yaml).

Where a person is lives in the database (survey_response), so they resume where they stopped, also after a
restart. One response per person per wave is a unique constraint. An unfinished response older than
EXPIRES_AFTER does not count and starts afresh. Button payloads are `sv:<response id>:<step>:<choice>`;
one for another step, another response or a closed wave is ignored with a note and the current
question asked again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.messages import Button, Incoming, Reply
from bot.core.models import SurveyResponse, SurveyWave
from handlers.context import Context
from handlers.survey import texts as text
from handlers.survey.definition import SurveyDefinition
from handlers.survey.scoring import Answered, Report, index_of, report

EXPIRES_AFTER = dt.timedelta(days=7)
ACTIVE_STEPS = ("consent", "group", "county", "item", "comment")
PAYLOAD = re.compile(r"^sv:(\d{1,12}):(c|g|k|i\d{1,3}|m):(\w{1,8})$")
MAX_COMMENT_CHARS = 1000


def open_wave(session: Session) -> SurveyWave | None:
    return session.scalars(select(SurveyWave).where(SurveyWave.closed_at.is_(None))
                           .order_by(SurveyWave.id.desc())).first()


def respondent_hash(salt: str, incoming: Incoming) -> str:
    return hashlib.sha256(f"{salt}:{incoming.channel}:{incoming.user_id}".encode()).hexdigest()[:32]


# ---- the steps, as one table ---------------------------------------------------------------------
# Each step: the code its buttons carry (items: i<index>), what it asks, its choices (labels) with how many
# a row, and what a choice stores and where it leads. The survey walks STEPS top to bottom; `choose` returns
# replies of its own when the walk ends there (declined, finished), else None for the next question.
Choose = Callable[[SurveyDefinition, SurveyResponse, int, dt.datetime], "list[Reply] | None"]


@dataclass(frozen=True)
class Step:
    name: str  # survey_response.step
    code: Callable[[SurveyResponse], str]
    ask: Callable[[SurveyDefinition, SurveyResponse], str]
    labels: Callable[[SurveyDefinition], list[str]]
    per_row: int
    choose: Choose


def _consent(_d: SurveyDefinition, response: SurveyResponse, picked: int, _now: dt.datetime) -> list[Reply] | None:
    if picked == 1:
        response.step = "declined"
        return [Reply(text.DECLINED)]
    response.step = "group"
    return None


def _group(d: SurveyDefinition, response: SurveyResponse, picked: int, _now: dt.datetime) -> list[Reply] | None:
    response.group, response.step = d.groups[picked][0], "county"
    return None


def _county(d: SurveyDefinition, response: SurveyResponse, picked: int, _now: dt.datetime) -> list[Reply] | None:
    response.county, response.step, response.item_index = d.counties[picked], "item", 0
    return None


def _item(d: SurveyDefinition, response: SurveyResponse, picked: int, _now: dt.datetime) -> list[Reply] | None:
    item = d.items[response.item_index]
    response.answers = {**response.answers, item.id: d.options[picked][0]}
    if response.item_index + 1 < len(d.items):
        response.item_index += 1
    else:
        response.step = "comment"
    return None


def _item_question(d: SurveyDefinition, response: SurveyResponse) -> str:
    item = d.items[response.item_index]
    return text.ASK_ITEM.format(number=response.item_index + 1, total=len(d.items), dimension=item.dimension,
                                text=item.text)


STEPS: dict[str, Step] = {step.name: step for step in (
    Step("consent", lambda r: "c", lambda d, r: d.consent, lambda d: [text.AGREE, text.DECLINE], 2, _consent),
    Step("group", lambda r: "g", lambda d, r: text.ASK_GROUP, lambda d: [g for g, _w in d.groups], 1, _group),
    Step("county", lambda r: "k", lambda d, r: text.ASK_COUNTY, lambda d: list(d.counties), 3, _county),
    Step("item", lambda r: f"i{r.item_index}", _item_question, lambda d: [label for label, _ in d.options], 3, _item),
    Step("comment", lambda r: "m", lambda d, r: text.ASK_COMMENT, lambda d: [text.SKIP], 1,
         lambda d, r, picked, now: _finish(r, None, now)),
)}


# ---- asking ------------------------------------------------------------------------------------
def _buttons(response: SurveyResponse, step: str, labels: list[str], per_row: int) -> tuple[tuple[Button, ...], ...]:
    buttons = [Button(label, f"sv:{response.id}:{step}:{n}") for n, label in enumerate(labels)]
    return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))


def current_question(definition: SurveyDefinition, response: SurveyResponse) -> Reply:
    """The question the person is on, with its buttons."""
    step = STEPS[response.step]
    return Reply(step.ask(definition, response),
                 _buttons(response, step.code(response), step.labels(definition), step.per_row))


def _touch(response: SurveyResponse, now: dt.datetime) -> None:
    response.updated_at = now


def _is_expired(response: SurveyResponse, now: dt.datetime) -> bool:
    return response.step in ACTIVE_STEPS and now - response.updated_at > EXPIRES_AFTER


def _restart(definition: SurveyDefinition, response: SurveyResponse, now: dt.datetime) -> None:
    response.step, response.item_index, response.answers = "consent", 0, {}
    response.group = response.county = response.comment = None
    response.version = definition.version
    response.started_at = now
    _touch(response, now)


def start(ctx: Context, incoming: Incoming, _argument: str) -> list[Reply]:
    """/survey or the menu button: begin, resume, or say why not."""
    session, definition, now = ctx.session, ctx.survey, ctx.now
    wave = open_wave(session)
    if wave is None:
        return [Reply(text.NO_WAVE)]
    response = _find(session, wave, incoming)
    if response is None:
        response = SurveyResponse(wave_id=wave.id, channel=incoming.channel, user_id=incoming.user_id,
                                  respondent=respondent_hash(ctx.survey_salt, incoming), version=definition.version,
                                  step="consent", item_index=0, answers={}, started_at=now, updated_at=now)
        try:
            with session.begin_nested():
                session.add(response)
        except IntegrityError:  # the same person, twice at once: the database keeps one
            response = _find(session, wave, incoming)
            if response is None:
                raise
        return [current_question(definition, response)]
    if response.step == "done":
        return [Reply(text.ALREADY_DONE.format(wave=wave.name))]
    if response.step == "declined" or _is_expired(response, now):
        _restart(definition, response, now)
        return [current_question(definition, response)]
    return [Reply(text.RESUMING), current_question(definition, response)]


def _find(session: Session, wave: SurveyWave, incoming: Incoming) -> SurveyResponse | None:
    return session.scalars(select(SurveyResponse).where(
        SurveyResponse.wave_id == wave.id, SurveyResponse.channel == incoming.channel,
        SurveyResponse.user_id == incoming.user_id)).first()


# Built once (this runs for every message): the id of a person's unfinished response in the open wave.
# The steps are spelled out rather than IN (…), which SQLAlchemy expands at execution time: this way the
# statement compiles to the same SQL every time (one cached form).
ACTIVE_ID = (select(SurveyResponse.id).join(SurveyWave, SurveyWave.id == SurveyResponse.wave_id)
             .where(SurveyWave.closed_at.is_(None), SurveyResponse.channel == bindparam("channel"),
                    SurveyResponse.user_id == bindparam("user_id"),
                    or_(*(SurveyResponse.step == step for step in ACTIVE_STEPS)))
             .order_by(SurveyWave.id.desc()).limit(1))


def active(session: Session, incoming: Incoming, now: dt.datetime) -> SurveyResponse | None:
    """The person's unfinished, unexpired response in the open wave, if any (one query: this runs for
    every message)."""
    found = session.connection().execute(
        ACTIVE_ID, {"channel": incoming.channel, "user_id": incoming.user_id}).scalar()
    response = session.get(SurveyResponse, found) if found is not None else None
    if response is None or _is_expired(response, now):
        return None
    return response


# ---- answering ---------------------------------------------------------------------------------
def on_payload(ctx: Context, incoming: Incoming, payload: str) -> list[Reply] | None:
    session, definition, now = ctx.session, ctx.survey, ctx.now
    match = PAYLOAD.match(payload)
    if match is None:
        return None
    response_id, code, choice = int(match.group(1)), match.group(2), match.group(3)
    response = active(session, incoming, now)
    if response is None:
        return [Reply(text.STALE_NOTHING_OPEN)] if session.get(SurveyResponse, response_id) else None
    step = STEPS.get(response.step)
    if step is None or response.id != response_id or code != step.code(response):
        return [Reply(text.STALE), current_question(definition, response)]
    labels = step.labels(definition)
    picked = int(choice) if choice.isdigit() and int(choice) < len(labels) else None
    if picked is None:
        return [Reply(text.STALE), current_question(definition, response)]
    _touch(response, now)
    return step.choose(definition, response, picked, now) or [current_question(definition, response)]


def _finish(response: SurveyResponse, comment: str | None, now: dt.datetime) -> list[Reply]:
    response.comment = comment[:MAX_COMMENT_CHARS] if comment else None
    response.step, response.completed_at = "done", now
    return [Reply(text.THANKS)]


def on_text(definition: SurveyDefinition, response: SurveyResponse, message: str, now: dt.datetime) -> list[Reply]:
    """Text from someone in the middle of the survey (see active()): the comment, or a kind nudge to use
    the buttons."""
    _touch(response, now)
    if response.step == "comment" and message.strip():
        return _finish(response, message.strip(), now)
    return [Reply(text.USE_BUTTONS), current_question(definition, response)]


# ---- staff ---------------------------------------------------------------------------------------
def staff_open(session: Session, name: str, now: dt.datetime) -> list[Reply]:
    name = name.strip()[:64]
    if not name:
        return [Reply(text.STAFF_OPEN_HOW)]
    current = open_wave(session)
    if current is not None:
        return [Reply(text.STAFF_ALREADY_OPEN.format(wave=current.name))]
    if session.scalars(select(SurveyWave).where(SurveyWave.name == name)).first() is not None:
        return [Reply(text.STAFF_NAME_TAKEN.format(wave=name))]
    session.add(SurveyWave(name=name, opened_at=now))
    session.flush()
    return [Reply(text.STAFF_OPENED.format(wave=name))]


def open_command(ctx: Context, _incoming: Incoming, argument: str) -> list[Reply]:
    """/survey_open 名称"""
    return staff_open(ctx.session, argument, ctx.now)


def staff_close(session: Session, now: dt.datetime) -> list[Reply]:
    wave = open_wave(session)
    if wave is None:
        return [Reply(text.STAFF_NOTHING_OPEN)]
    wave.closed_at = now
    done = session.scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.wave_id == wave.id, SurveyResponse.step == "done")) or 0
    return [Reply(text.STAFF_CLOSED.format(wave=wave.name, n=done))]


def close_command(ctx: Context, _incoming: Incoming, _argument: str) -> list[Reply]:
    """/survey_close"""
    return staff_close(ctx.session, ctx.now)


def completed(session: Session, wave: SurveyWave) -> list[Answered]:
    rows = session.scalars(select(SurveyResponse).where(SurveyResponse.wave_id == wave.id,
                                                        SurveyResponse.step == "done"))
    return [Answered(r.respondent, r.group or "", r.county or "", dict(r.answers)) for r in rows]


def find_wave(session: Session, name: str) -> SurveyWave | None:
    return session.scalars(select(SurveyWave).where(SurveyWave.name == name)).first()


def wave_report(session: Session, definition: SurveyDefinition, name: str | None = None) -> Report | None:
    """The report of a wave (by name; else the open one, else the latest), with the change since the one before."""
    query = select(SurveyWave).order_by(SurveyWave.id.desc())
    wave = session.scalars(query.where(SurveyWave.name == name) if name else query).first()
    if wave is None:
        return None
    previous = session.scalars(query.where(SurveyWave.id < wave.id)).first()
    previous_index = index_of(definition, completed(session, previous)) if previous else None
    return report(definition, wave.name, completed(session, wave),
                  None if previous_index is None else round(previous_index, 2))
