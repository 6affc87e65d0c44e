"""Turns one Incoming into the Replies to send: the single entry point every channel calls."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from handlers import ask, smalltalk
from handlers.texts import ask as ask_text
from handlers.types import Incoming, Reply
from knowledge.normalize import strip_control
from knowledge.service import KnowledgeService

log = logging.getLogger(__name__)
MAX_PAYLOAD_CHARS = 64


class Router:
    def __init__(self, knowledge: KnowledgeService, sessions: sessionmaker[Session]) -> None:
        self.knowledge = knowledge
        self.sessions = sessions

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Never raises: an unexpected failure is logged and the user gets a polite apology."""
        try:
            with self.sessions.begin() as session:
                return self._dispatch(session, incoming)
        except Exception:
            log.exception("failed to handle a message from %s:%s", incoming.channel, incoming.user_id)
            return [Reply(ask_text.ERROR)]

    def _dispatch(self, session: Session, incoming: Incoming) -> list[Reply]:
        engine = self.knowledge.engine
        if incoming.payload is not None:
            payload = incoming.payload.strip()
            replies = None
            if len(payload) <= MAX_PAYLOAD_CHARS:
                replies = ask.handle_payload(session, engine, incoming, payload)
            return replies if replies is not None else [Reply(ask_text.STALE_BUTTON)]
        message = strip_control(incoming.text or "")
        kind = smalltalk.classify(message) if len(message) <= 40 else None
        if kind is smalltalk.Kind.HANDOFF:
            return ask.request_handoff(session, incoming, None)
        if kind is not None:
            return [smalltalk.reply(kind)]
        return ask.ask(session, engine, incoming, message)
