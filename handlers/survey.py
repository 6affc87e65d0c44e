"""The satisfaction survey in chat. The definition file (handlers/data/survey.yaml) is the table of the
conversation; this module walks it: consent → group → county → each item → optional comment → thanks.

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

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.messages import Button, Incoming, Reply
from bot.models import SurveyResponse, SurveyWave
from handlers.survey_definition import SurveyDefinition
from handlers.survey_scoring import Answered, Report, index_of, report
from handlers.texts import survey as text

EXPIRES_AFTER = dt.timedelta(days=7)
ACTIVE_STEPS = ("consent", "group", "county", "item", "comment")
PAYLOAD = re.compile(r"^sv:(\d{1,12}):(c|g|k|i\d{1,3}|m):(\w{1,8})$")
MAX_COMMENT_CHARS = 1000


def open_wave(session: Session) -> SurveyWave | None:
    return session.scalars(select(SurveyWave).where(SurveyWave.closed_at.is_(None))
                           .order_by(SurveyWave.id.desc())).first()


def respondent_hash(salt: str, incoming: Incoming) -> str:
    return hashlib.sha256(f"{salt}:{incoming.channel}:{incoming.user_id}".encode()).hexdigest()[:32]


# ---- asking ------------------------------------------------------------------------------------
def _buttons(response: SurveyResponse, step: str, labels: list[str], per_row: int) -> tuple[tuple[Button, ...], ...]:
    buttons = [Button(label, f"sv:{response.id}:{step}:{n}") for n, label in enumerate(labels)]
    return tuple(tuple(buttons[i:i + per_row]) for i in range(0, len(buttons), per_row))


def current_question(definition: SurveyDefinition, response: SurveyResponse) -> Reply:
    """The question the person is on, with its buttons."""
    if response.step == "consent":
        return Reply(definition.consent, _buttons(response, "c", [text.AGREE, text.DECLINE], 2))
    if response.step == "group":
        return Reply(text.ASK_GROUP, _buttons(response, "g", [g for g, _w in definition.groups], 1))
    if response.step == "county":
        return Reply(text.ASK_COUNTY, _buttons(response, "k", list(definition.counties), 3))
    if response.step == "item":
        items = definition.items
        item = items[response.item_index]
        ask = text.ASK_ITEM.format(number=response.item_index + 1, total=len(items), dimension=item.dimension,
                                   text=item.text)
        return Reply(ask, _buttons(response, f"i{response.item_index}", [label for label, _ in definition.options], 3))
    return Reply(text.ASK_COMMENT, ((Button(text.SKIP, f"sv:{response.id}:m:skip"),),))


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


def start(session: Session, incoming: Incoming, definition: SurveyDefinition, salt: str,
          now: dt.datetime) -> list[Reply]:
    """/survey or the menu button: begin, resume, or say why not."""
    wave = open_wave(session)
    if wave is None:
        return [Reply(text.NO_WAVE)]
    response = _find(session, wave, incoming)
    if response is None:
        response = SurveyResponse(wave_id=wave.id, channel=incoming.channel, user_id=incoming.user_id,
                                  respondent=respondent_hash(salt, incoming), version=definition.version,
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
# statement compiles once and can also run on the driver directly (handlers/plain_message.py).
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
def on_payload(session: Session, incoming: Incoming, definition: SurveyDefinition, payload: str,
               now: dt.datetime) -> list[Reply] | None:
    match = PAYLOAD.match(payload)
    if match is None:
        return None
    response_id, step, choice = int(match.group(1)), match.group(2), match.group(3)
    response = active(session, incoming, now)
    if response is None:
        return [Reply(text.STALE_NOTHING_OPEN)] if session.get(SurveyResponse, response_id) else None
    expected = {"consent": "c", "group": "g", "county": "k", "comment": "m"}.get(
        response.step, f"i{response.item_index}")
    if response.id != response_id or step != expected:
        return [Reply(text.STALE), current_question(definition, response)]
    return _apply(definition, response, step, choice, now)


def _choice(choice: str, count: int) -> int | None:
    return int(choice) if choice.isdigit() and int(choice) < count else None


def _apply(definition: SurveyDefinition, response: SurveyResponse, step: str, choice: str,
           now: dt.datetime) -> list[Reply]:
    _touch(response, now)
    if step == "c":
        if choice not in ("0", "1"):
            return [Reply(text.STALE), current_question(definition, response)]
        if choice == "1":
            response.step = "declined"
            return [Reply(text.DECLINED)]
        response.step = "group"
    elif step == "g":
        picked = _choice(choice, len(definition.groups))
        if picked is None:
            return [Reply(text.STALE), current_question(definition, response)]
        response.group, response.step = definition.groups[picked][0], "county"
    elif step == "k":
        picked = _choice(choice, len(definition.counties))
        if picked is None:
            return [Reply(text.STALE), current_question(definition, response)]
        response.county, response.step, response.item_index = definition.counties[picked], "item", 0
    elif step.startswith("i"):
        picked = _choice(choice, len(definition.options))
        if picked is None:
            return [Reply(text.STALE), current_question(definition, response)]
        item = definition.items[response.item_index]
        response.answers = {**response.answers, item.id: definition.options[picked][0]}
        if response.item_index + 1 < len(definition.items):
            response.item_index += 1
        else:
            response.step = "comment"
    elif step == "m":
        return _finish(response, None, now)
    return [current_question(definition, response)]


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


def staff_close(session: Session, now: dt.datetime) -> list[Reply]:
    wave = open_wave(session)
    if wave is None:
        return [Reply(text.STAFF_NOTHING_OPEN)]
    wave.closed_at = now
    done = session.scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.wave_id == wave.id, SurveyResponse.step == "done")) or 0
    return [Reply(text.STAFF_CLOSED.format(wave=wave.name, n=done))]


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
