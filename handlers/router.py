"""Turns one Incoming into the Replies to send: the single dispatch every channel's messages go through.

Order of precedence, in `answer`: flood control; a message without text (a sticker, a picture); the staff
chat (answers to handoffs); buttons (by payload prefix, one owner each, in BUTTONS); commands (the table in
commands.py); a person in a handoff (their messages go to staff); a report's tracking number (WQ…); an
infringement report being filled in (handlers/tips/; photos and other attachments go there first); a survey
under way; greetings and the like; otherwise a question.

`answer` works in the caller's transaction (the pipeline's, which also queues the replies and marks the
message done); `handle` gives it a transaction of its own (the console, tests).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock, system_clock
from bot.core.messages import Incoming, Reply
from handlers import ask, delivery, followup, handoff, menu, question_log, remind, smalltalk, staff, teaching
from handlers.commands import BY_NAME, typed_command
from handlers.context import Context
from handlers.rate_limit import RateLimiter, Verdict
from handlers.staff_links import LinkedStaff
from handlers.survey import conversation as survey
from handlers.survey import definition as survey_definition
from handlers.survey import invite as survey_invite
from handlers.survey import texts as survey_text
from handlers.survey.definition import SurveyDefinition
from handlers.texts import ask as ask_text
from handlers.texts import general
from handlers.tips import conversation as tips
from handlers.tips import status as tips_status
from knowledge.normalize import strip_control
from knowledge.service import KnowledgeService

log = logging.getLogger(__name__)
MAX_PAYLOAD_CHARS = 64
COMMAND = re.compile(r"^/([a-z_]{1,32})(?:\s+(.*))?$", re.DOTALL)
STAFF_CHAT_OPEN = ("reply", "end")  # anyone in the staff chat may answer and end handoffs
STAFF_CHAT_TOO = ("tip", "tip_status")  # commands for everyone that staff also use in the staff chat
ButtonRun = Callable[[Context, Incoming, str], list[Reply] | None]


@dataclass(frozen=True)
class ButtonOwner:
    """The feature that owns the payloads matching `pattern`; None from `run`: not one of its payloads."""

    pattern: re.Pattern[str]
    run: ButtonRun
    staff_only: bool = False


# Every button payload, by prefix, with one owner each (the only place payloads are told apart).
BUTTONS: tuple[ButtonOwner, ...] = (
    ButtonOwner(re.compile(rf"^{re.escape(survey_invite.START_PAYLOAD)}$"), survey.start),
    ButtonOwner(survey.PAYLOAD, survey.on_payload),
    ButtonOwner(tips.PAYLOAD, tips.on_payload),
    ButtonOwner(remind.CANCEL_PAYLOAD, remind.handle_payload, staff_only=True),
    ButtonOwner(delivery.RETRY_PAYLOAD, delivery.retry_button, staff_only=True),
    ButtonOwner(remind.ACK_PAYLOAD, remind.acknowledge),
    ButtonOwner(handoff.END_PAYLOAD, handoff.handle_payload),
    ButtonOwner(teaching.PAYLOAD, teaching.button, staff_only=True),
    ButtonOwner(menu.PAYLOAD, menu.handle_payload),
    ButtonOwner(ask.PAYLOAD, ask.handle_payload),
)


class Router:
    def __init__(self, knowledge: KnowledgeService, sessions: sessionmaker[Session],
                 staff_ids: frozenset[str] = frozenset(), rate_limiter: RateLimiter | None = None,
                 survey_definition: SurveyDefinition | None = None, survey_salt: str = "",
                 timezone: str = "Asia/Shanghai", clock: Clock = system_clock,
                 writer: AbstractContextManager[object] | None = None) -> None:
        """writer: held around `handle`'s transaction (the pipeline holds the same one around its own)."""
        self.knowledge = knowledge
        self.sessions = sessions
        self.staff_ids = staff_ids
        self.rate_limiter = rate_limiter or RateLimiter()
        self.survey = survey_definition or survey_definition_default()
        self.survey_salt = survey_salt
        self.zone = ZoneInfo(timezone)
        self.clock = clock
        self.writer = writer or contextlib.nullcontext()
        self.linked_staff = LinkedStaff()  # console accounts' chat ids count as staff too
        self.media_dir: Path | None = None  # report photos (handlers/tips/photos.py); set by build_router

    def context(self, session: Session) -> Context:
        staff_ids = self.linked_staff.together(session, self.staff_ids)
        return Context(session, self.knowledge.engine, staff_ids, self.clock(), self.zone, self.survey,
                       self.survey_salt, knowledge_changed=self.knowledge.invalidate, media=self.media_dir)

    def handle(self, incoming: Incoming) -> list[Reply]:
        """The replies to one message, in a transaction of its own. Never raises: an unexpected failure is
        logged, nothing is written, and the person gets a polite apology."""
        try:
            with self.writer, self.sessions.begin() as session:
                return self.answer(session, incoming)
        except Exception:  # logged without who sent it or what (no personal data in logs)
            log.exception("failed to handle a message on %s", incoming.channel)
            return [Reply(ask_text.ERROR)]

    def answer(self, session: Session, incoming: Incoming) -> list[Reply]:
        """The replies to one message, written in the caller's transaction."""
        incoming = incoming.cleaned()
        if not incoming.in_staff_chat:
            verdict = self.rate_limiter.check(str(incoming.sender), message=incoming.extra.get("inbox"))
            if verdict is not Verdict.OK and incoming.photos:  # too fast, but a report's photo is kept
                tips.keep_quietly(session, incoming, self.clock())
            if verdict is Verdict.WARN:
                return [Reply(general.SLOW_DOWN)]
            if verdict is Verdict.DROP:
                return []
        if (incoming.photos or incoming.attachment) and not incoming.in_staff_chat and incoming.payload is None:
            ctx = self.context(session)
            return tips.on_attachment(session, incoming, ctx.media, ctx.zone, ctx.now)
        if incoming.text is None and incoming.payload is None:
            return [Reply(general.TEXT_ONLY)]
        ctx = self.context(session)
        if incoming.in_staff_chat:
            return self._staff_chat(ctx, incoming)
        if incoming.payload is not None:
            return self._button(ctx, incoming, incoming.payload.strip())
        message = strip_control(incoming.text or "").strip()
        if command := COMMAND.match(message):
            return self._command(ctx, incoming, command.group(1), command.group(2) or "")
        if (named := typed_command(message)) is not None:  # a menu label or command word typed, not pressed
            return self._command(ctx, incoming, named, "")
        row, notices = handoff.current(session, incoming, ctx.now)
        if row is not None:
            return handoff.relay_from_user(row, message, ctx.now)
        if tips_status.normalise_number(message):  # a report's tracking number
            return [*notices, tips_status.status_reply(session, message, incoming.sender, ctx.is_staff(incoming),
                                                       ctx.zone)]
        draft = tips.active(session, incoming, ctx.now)
        if draft is not None:
            return [*notices, *tips.on_text(session, incoming, draft, message, ctx.media, ctx.zone, ctx.now)]
        response = survey.active(session, incoming, ctx.now)
        if response is not None:
            # a real question in the middle (not the comment the survey asked for): answer it, keep the place
            if response.step != "comment" and ctx.engine.search(message).confident:
                logger = question_log.session_logger(session, ctx.now)
                return [*notices, *ask.ask(logger, ctx.engine, incoming, message, session), Reply(survey_text.PAUSED)]
            return [*notices, *survey.on_text(self.survey, response, message, ctx.now)]
        kind = smalltalk.classify(message) if len(message) <= smalltalk.MAX_CHARS else None
        if kind is smalltalk.Kind.HANDOFF:
            return [*notices, *handoff.request(session, incoming, None, ctx.engine, now=ctx.now)]
        if kind is not None:
            return [*notices, smalltalk.reply(kind)]
        if followup.asks_for_progress(message) and (number := followup.latest_report(session, incoming, ctx.now)):
            return [*notices, tips_status.status_reply(session, number, incoming.sender, ctx.is_staff(incoming),
                                                       ctx.zone)]
        message = self._in_context(ctx, incoming, message)
        logger = question_log.session_logger(session, ctx.now)
        return [*notices, *ask.ask(logger, ctx.engine, incoming, message, session)]

    @staticmethod
    def _in_context(ctx: Context, incoming: Incoming, message: str) -> str:
        """A short follow-up that says too little on its own, read with the person's previous question."""
        alone = ctx.engine.search(message)
        # only a question that named something askable but too little (要多少钱, 多久): not one about something
        # else (天气), nor one the engine found nothing in
        if len(message) > followup.MAX_CHARS or alone.confident or alone.reason not in followup.TOO_LITTLE:
            return message
        earlier = followup.previous_question(ctx.session, incoming, ctx.now)
        if earlier is None:
            return message
        together = f"{earlier} {message}"
        return together if ctx.engine.search(together).confident else message

    def _button(self, ctx: Context, incoming: Incoming, payload: str) -> list[Reply]:
        if len(payload) <= MAX_PAYLOAD_CHARS:
            for owner in BUTTONS:
                if not owner.pattern.match(payload):
                    continue
                if owner.staff_only and not ctx.is_staff(incoming):
                    return staff.refused()
                replies = owner.run(ctx, incoming, payload)
                if replies is not None:
                    return replies
                break
        return [Reply(ask_text.STALE_BUTTON)]

    def _command(self, ctx: Context, incoming: Incoming, name: str, argument: str) -> list[Reply]:
        command = BY_NAME.get(name)
        if command is None:
            return [Reply(general.UNKNOWN_COMMAND)]
        if command.staff_only and not ctx.is_staff(incoming):
            return staff.refused()
        return command.run(ctx, incoming, argument)

    def _staff_chat(self, ctx: Context, incoming: Incoming) -> list[Reply]:
        """Staff answer handoffs by replying to a notice, or with /reply N text and /end N; the staff
        commands work here too."""
        message = strip_control(incoming.text or "").strip()
        command = COMMAND.match(message)
        if command and (found := BY_NAME.get(command.group(1))) is not None and (
                found.staff_only or found.name in STAFF_CHAT_TOO):
            if found.name not in STAFF_CHAT_OPEN and not ctx.is_staff(incoming):
                return staff.refused()
            return found.run(ctx, incoming, command.group(2) or "")
        number = handoff.number_replied_to(incoming)
        if number is not None and message and not command:
            return handoff.reply_from_staff(ctx.session, number, message, ctx.now)
        return []  # staff talking among themselves


def survey_definition_default() -> SurveyDefinition:
    return survey_definition.load(survey_definition.DEFINITION)
