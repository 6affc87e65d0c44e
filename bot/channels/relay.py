"""Replies meant for other chats (a staff answer to a user, a handoff notice to the staff chat, a message for
another channel) go through the outbox, like every proactive message: written in one transaction, sent with
the channel's limits and retries, never lost to a brief outage. Only the answer to the chat that wrote
stays on the channel's direct path."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from handlers.types import Reply
from scheduler.outbox import enqueue


def is_direct(reply: Reply, channel: str) -> bool:
    return reply.chat_id is None and reply.channel in (None, channel)


def queue(sessions: sessionmaker[Session], channel: str, current_chat: str, replies: list[Reply]) -> int:
    """Queue `replies` (for `current_chat` unless they name another chat or channel); returns how many."""
    if not replies:
        return 0
    with sessions.begin() as session:
        for reply in replies:
            enqueue(session, reply.channel or channel, reply.chat_id or current_chat, reply)
    return len(replies)
