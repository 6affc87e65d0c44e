"""Telegram updates handled several at a time, each chat's strictly in the order they came.

python-telegram-bot handles one update at a time by default: while one answer travels to Telegram and back
(tens to hundreds of milliseconds from here), nothing else happens, so a busy hour queues up behind the
network. Its `concurrent_updates` lifts that but lets two messages of the same person overtake each other
("转人工" and the message after it, two survey answers). This processor keeps both: up to N updates at once,
and within one chat (or, for updates without a chat, one user) each waits for the one before it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_key(update: object) -> object:
    """What must stay in order: the chat, else the user, else everything without either."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return None


class ChatOrderedUpdates(BaseUpdateProcessor):
    __slots__ = ("_chats",)

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        # key -> (the chat's lock, how many of its updates hold or wait for it); forgotten when none do
        self._chats: dict[object, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        lock, holders = self._chats.get(key) or (asyncio.Lock(), 0)
        self._chats[key] = (lock, holders + 1)
        try:
            async with lock:  # asyncio.Lock wakes its waiters first come, first served
                await coroutine
        finally:
            lock, holders = self._chats[key]
            if holders == 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, holders - 1)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
