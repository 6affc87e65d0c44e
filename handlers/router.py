"""Turns one Incoming into the Replies to send: the single entry point every channel calls.

Order of precedence: flood control; the staff chat (answers to handoffs); buttons; commands; a user in
a handoff (their messages go to staff); greetings and the like; otherwise a question.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from handlers import (
    ask,
    delivery,
    handoff,
    menu,
    question_log,
    remind,
    smalltalk,
    staff,
    subscriptions,
    survey,
    survey_invite,
)
from handlers.plain_message import PlainMessages
from handlers.rate_limit import RateLimiter, Verdict
from handlers.survey_definition import SurveyDefinition
from handlers.survey_export import survey_report
from handlers.texts import ask as ask_text
from handlers.texts import general
from handlers.texts import handoff as handoff_text
from handlers.texts import menu as menu_text
from handlers.texts import staff as staff_text
from handlers.texts import survey as survey_text
from handlers.types import Incoming, Reply
from knowledge.normalize import strip_control
from knowledge.service import KnowledgeService

log = logging.getLogger(__name__)
MAX_PAYLOAD_CHARS = 64
COMMAND = re.compile(r"^/([a-z_]{1,32})(?:\s+(.*))?$", re.DOTALL)
STAFF_REPLY = re.compile(r"^(\d{1,12})\s+(.+)$", re.DOTALL)
STAFF_COMMANDS = ("unanswered", "stats", "survey_open", "survey_close", "survey_invite", "report", "remind",
                  "reminders", "outbox")


class Router:
    def __init__(self, knowledge: KnowledgeService, sessions: sessionmaker[Session],
                 staff_ids: frozenset[str] = frozenset(), rate_limiter: RateLimiter | None = None,
                 one_writer: bool = False, survey_definition: SurveyDefinition | None = None,
                 survey_salt: str = "", timezone: str = "Asia/Shanghai") -> None:
        """one_writer: let one message at a time reach the database (SQLite takes one writer; waiting
        here is cheaper than SQLite's own back-off when channels handle chats concurrently)."""
        self.knowledge = knowledge
        self.sessions = sessions
        self.staff_ids = staff_ids
        self.rate_limiter = rate_limiter or RateLimiter()
        self.survey = survey_definition
        self.survey_salt = survey_salt
        self.zone = ZoneInfo(timezone)
        self._writer = threading.Lock() if one_writer else None
        bind = sessions.kw.get("bind")
        # The common case (a question from someone in no handoff or survey) on the driver: plain_message.py.
        self.plain = PlainMessages(bind, survey_definition is not None) if isinstance(bind, Engine) else None
        # On the embedded database that case takes a fraction of a millisecond and no network: cheap enough to
        # run on a channel's event loop (`first`). On a database server it goes with the rest (`rest`).
        self._plain_first = self.plain is not None and self.plain.engine.dialect.name == "sqlite"

    def handle(self, incoming: Incoming) -> list[Reply]:
        """The replies to one message. Never raises: an unexpected failure is logged and the user gets a
        polite apology."""
        replies = self.first(incoming)
        return replies if replies is not None else self.rest(incoming)

    def first(self, incoming: Incoming) -> list[Reply] | None:
        """What can be answered at once, without waiting on a database server: flood control and, on the
        embedded database, the common case. None: `rest` answers (a channel on an event loop runs it in a
        worker thread). Never raises."""
        if not incoming.in_staff_chat:
            verdict = self.rate_limiter.check(f"{incoming.channel}:{incoming.user_id}")
            if verdict is Verdict.WARN:
                return [Reply(general.SLOW_DOWN)]
            if verdict is Verdict.DROP:
                return []
        if not self._plain_first:
            return None
        # Never wait here: if another message holds the database (a worker thread building /report, say),
        # this one takes the worker-thread path instead of holding up the event loop.
        if self._writer is not None and not self._writer.acquire(blocking=False):
            return None
        try:
            return self._guarded(incoming, self._plain)
        finally:
            if self._writer is not None:
                self._writer.release()

    def rest(self, incoming: Incoming) -> list[Reply]:
        """Everything else, after `first` returned None. Never raises."""
        def everything(incoming: Incoming) -> list[Reply]:
            replies = None if self._plain_first else self._plain(incoming)
            if replies is not None:
                return replies
            with self.sessions.begin() as session:
                return self._dispatch(session, incoming)

        with self._writer or contextlib.nullcontext():
            replies = self._guarded(incoming, everything)
        assert replies is not None
        return replies

    def _guarded(self, incoming: Incoming, step: Callable[[Incoming], list[Reply] | None]) -> list[Reply] | None:
        try:
            return step(incoming)
        except Exception:
            log.exception("failed to handle a message from %s:%s", incoming.channel, incoming.user_id)
            return [Reply(ask_text.ERROR)]

    def _plain(self, incoming: Incoming) -> list[Reply] | None:
        """The common case (plain_message.py), or None when this message is not it."""
        if self.plain is None or incoming.payload is not None or incoming.in_staff_chat:
            return None
        message = strip_control(incoming.text or "").strip()
        if COMMAND.match(message):
            return None
        return self.plain.handle(self.knowledge.engine, incoming, message)

    def _dispatch(self, session: Session, incoming: Incoming) -> list[Reply]:
        if incoming.in_staff_chat:
            return self._staff_chat(session, incoming)
        if incoming.payload is not None:
            return self._button(session, incoming, incoming.payload.strip())
        message = strip_control(incoming.text or "").strip()
        if command := COMMAND.match(message):
            return self._command(session, incoming, command.group(1), command.group(2) or "")
        row, notices = handoff.current(session, incoming)
        if row is not None:
            return handoff.relay_from_user(row, message)
        response = survey.active(session, incoming) if self.survey is not None else None
        if self.survey is not None and response is not None:
            if self.knowledge.engine.search(message).confident:  # a real question: answer it, keep the place
                log = question_log.session_logger(session)
                return [*notices, *ask.ask(log, self.knowledge.engine, incoming, message), Reply(survey_text.PAUSED)]
            return [*notices, *survey.on_text(self.survey, response, message)]
        kind = smalltalk.classify(message) if len(message) <= smalltalk.MAX_CHARS else None
        if kind is smalltalk.Kind.HANDOFF:
            return [*notices, *handoff.request(session, incoming, None)]
        if kind is not None:
            return [*notices, smalltalk.reply(kind)]
        return [*notices, *ask.ask(question_log.session_logger(session), self.knowledge.engine, incoming, message)]

    def _button(self, session: Session, incoming: Incoming, payload: str) -> list[Reply]:
        replies = None
        if self.survey is not None and len(payload) <= MAX_PAYLOAD_CHARS:
            if payload == survey_invite.START_PAYLOAD:
                return survey.start(session, incoming, self.survey, self.survey_salt)
            replies = survey.on_payload(session, incoming, self.survey, payload)
        if replies is None and len(payload) <= MAX_PAYLOAD_CHARS:
            engine = self.knowledge.engine
            if remind.CANCEL_PAYLOAD.match(payload) or delivery.RETRY_PAYLOAD.match(payload):
                if not staff.is_staff(incoming, self.staff_ids):
                    return staff.refused()
                return (remind.handle_payload(session, payload) or delivery.retry(session, payload)
                        or [Reply(ask_text.STALE_BUTTON)])
            acknowledged = remind.acknowledge(session, incoming, payload, staff.is_staff(incoming, self.staff_ids),
                                              self.zone)
            if acknowledged is not None:
                return acknowledged
            replies = (handoff.handle_payload(session, incoming, payload)
                       or menu.handle_payload(engine, payload)
                       or ask.handle_payload(session, engine, incoming, payload))
        return replies if replies is not None else [Reply(ask_text.STALE_BUTTON)]

    def _command(self, session: Session, incoming: Incoming, name: str, argument: str) -> list[Reply]:
        if name == "start":
            return [menu.main_menu()]
        if name == "help":
            if staff.is_staff(incoming, self.staff_ids):
                return [smalltalk.reply(smalltalk.Kind.HELP), Reply(staff_text.HELP)]
            return [smalltalk.reply(smalltalk.Kind.HELP)]
        if name == "menu":
            return [menu.categories(self.knowledge.engine)]
        if name == "cancel":
            row, notices = handoff.current(session, incoming)
            if row is not None:
                return handoff.end_by_user(session, incoming)
            return notices or [Reply(menu_text.CANCELLED)]
        if name == "subscribe":
            return subscriptions.subscribe(session, incoming, argument, self.zone)
        if name == "mydeadlines":
            return subscriptions.my_deadlines(session, incoming, self.zone)
        if name == "unsubscribe":
            return subscriptions.unsubscribe(session, incoming, argument)
        if name == "survey" and self.survey is not None:
            return survey.start(session, incoming, self.survey, self.survey_salt)
        if name in STAFF_COMMANDS:
            if not staff.is_staff(incoming, self.staff_ids):
                return staff.refused()
            if name == "remind":
                return remind.add(session, incoming, argument, self.staff_ids, self.zone)
            if name == "reminders":
                return remind.listing(session, self.zone)
            if name == "outbox":
                return delivery.status(session)
            if name == "report":
                return survey_report(session, self.survey) if self.survey else [Reply(survey_text.REPORT_NONE)]
            if name == "survey_open":
                return survey.staff_open(session, argument)
            if name == "survey_close":
                return survey.staff_close(session)
            if name == "survey_invite":
                return survey_invite.invite(session, argument, self.staff_ids)
            return staff.unanswered(session) if name == "unanswered" else staff.stats(session)
        return [Reply(general.UNKNOWN_COMMAND)]

    def _staff_chat(self, session: Session, incoming: Incoming) -> list[Reply]:
        """Staff answer handoffs by replying to a notice, or with /reply N text and /end N."""
        message = strip_control(incoming.text or "").strip()
        command = COMMAND.match(message)
        if command and command.group(1) in STAFF_COMMANDS:
            return self._command(session, incoming, command.group(1), command.group(2) or "")
        if command and command.group(1) == "end":
            number = (command.group(2) or "").strip()
            if number.isdigit():
                return handoff.end_by_staff(session, int(number))
            replied = handoff.number_replied_to(incoming)
            return handoff.end_by_staff(session, replied) if replied else [Reply(handoff_text.STAFF_HOW)]
        if command and command.group(1) == "reply":
            parts = STAFF_REPLY.match((command.group(2) or "").strip())
            if parts is None:
                return [Reply(handoff_text.STAFF_HOW)]
            return handoff.reply_from_staff(session, int(parts.group(1)), parts.group(2))
        number = handoff.number_replied_to(incoming)
        if number is not None and message:
            return handoff.reply_from_staff(session, number, message)
        return []  # staff talking among themselves
