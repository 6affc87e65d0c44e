"""The Telegram channel: python-telegram-bot in, handlers' Replies out. It only translates.

Long polling by default; a webhook (with Telegram's secret-token header checked) when
IPBOT_TELEGRAM_WEBHOOK_URL is set. IPBOT_TELEGRAM_BASE_URL points it at a local Bot API server or a
test double. Texts are sent without a parse mode, so nothing a user or the knowledge base writes can be
read as markup; long texts are split under Telegram's 4,096-character limit.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import warnings
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot, BotCommand, Message, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning
from tornado.web import RequestHandler

from bot.channels import relay, split
from bot.channels.telegram_order import ChatOrderedUpdates
from bot.channels.telegram_request import JsonHTTPXRequest
from bot.http_server import HttpServer
from bot.settings import Settings
from handlers.types import STAFF_CHAT, Incoming, Reply
from scheduler.outbox import PermanentFailure, TemporaryFailure
from scheduler.runner import BackgroundJobs
from scheduler.send_limits import ChannelLimits, Window

log = logging.getLogger(__name__)
CHANNEL = "telegram"
MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
COMMANDS = (
    ("start", "打开主菜单"),
    ("menu", "按类别浏览常见问题"),
    ("help", "能问什么"),
    ("survey", "参加知识产权保护满意度调查"),
    ("subscribe", "订阅商标、专利到期提醒"),
    ("mydeadlines", "查看我订阅的到期提醒"),
    ("cancel", "结束人工咨询或取消当前操作"),
)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends where possible."""
    return split.split_text(text, limit)


def keyboard_fields(reply: Reply) -> dict[str, Any] | None:
    """The reply's buttons as the Bot API's reply_markup (an inline keyboard), for PTB's api_kwargs.

    The same JSON that PTB's InlineKeyboardMarkup of InlineKeyboardButtons serialises to (a test holds them
    equal), written directly: building and serialising those objects costs about 0.15 ms a message, more
    than the bot's search."""
    if not reply.buttons:
        return None
    return {"reply_markup": {"inline_keyboard": [[{"text": b.label, "callback_data": b.payload} for b in row]
                                                 for row in reply.buttons]}}


# send_text calls sendMessage through do_api_request, which warns that Bot.send_message exists: it is meant.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage' instead", category=PTBUserWarning)


async def send_text(bot: Bot, chat_id: int, text: str, fields: dict[str, Any] | None) -> None:
    """sendMessage, through PTB's request path (rate limiter, retries, errors as PTB raises them), without
    building a Message of Telegram's answer: nothing reads it, and parsing it — the whole sent message,
    keyboard included — costs about 0.14 ms a reply, a tenth of all the work a question takes."""
    await bot.do_api_request("sendMessage", api_kwargs={"chat_id": chat_id, "text": text, **(fields or {})})


GROUP_PER_MINUTE = 20  # Telegram: no more than 20 messages a minute to one group
PRIVATE_PER_SECOND = 1  # and about one a second to one person


def send_limits(settings: Settings) -> ChannelLimits:
    """Telegram's limits for the outbox: ~30 messages a second overall, 20 a minute per group."""

    def per_chat(chat_id: str) -> Window:
        is_group = chat_id == STAFF_CHAT or chat_id.startswith("-")
        return Window(GROUP_PER_MINUTE, 60.0) if is_group else Window(PRIVATE_PER_SECOND, 1.0)

    return ChannelLimits(overall=Window(int(settings.telegram_max_rate), 1.0), per_chat=per_chat)


class TelegramSender:
    """Sends outbox messages through the channel's bot, translating Telegram's errors for the dispatcher."""

    def __init__(self, channel: TelegramChannel) -> None:
        self.channel = channel

    async def send(self, chat_id: str, reply: Reply) -> None:
        target = self.channel.settings.telegram_staff_chat if chat_id == STAFF_CHAT else chat_id
        if not target:
            raise PermanentFailure("no staff chat configured")
        try:
            await self.channel._deliver([Reply(reply.text, reply.buttons, reply.image, reply.file_name)], int(target))
        except RetryAfter as exc:
            retry = exc.retry_after
            raise TemporaryFailure(str(exc), retry if isinstance(retry, (int, float)) else retry.total_seconds()) \
                from exc
        except (Forbidden, BadRequest) as exc:
            raise PermanentFailure(str(exc)) from exc
        except NetworkError as exc:  # timeouts and 5xx included
            raise TemporaryFailure(str(exc)) from exc
        except ValueError as exc:
            raise PermanentFailure(f"not a Telegram chat id: {chat_id}") from exc


Builder = TypeVar("Builder", bound="ApplicationBuilder[Any, Any, Any, Any, Any, Any]")


class WebhookHandler(RequestHandler):
    """Telegram's webhook calls: the secret-token header must match, then the update joins PTB's queue."""

    def initialize(self, channel: TelegramChannel) -> None:
        self.channel = channel

    async def post(self) -> None:
        expected = self.channel.settings.telegram_webhook_secret or ""
        given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if expected and not hmac.compare_digest(given.encode(), expected.encode()):
            self.set_status(403)
            self.finish()
            return
        try:
            update = Update.de_json(json.loads(self.request.body), self.channel.application.bot)
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            self.set_status(400)
            self.finish()
            return
        await self.channel.application.update_queue.put(update)
        self.finish()


def networking(builder: Builder, settings: Settings) -> Builder:
    """How the bot talks to the Bot API: JSON bodies instead of PTB's percent-encoded forms
    (telegram_request.py, PTB's default pool sizes) and updates several at a time, each chat's in order
    (telegram_order.py)."""
    builder = (builder.request(JsonHTTPXRequest(connection_pool_size=256))
               .get_updates_request(JsonHTTPXRequest(connection_pool_size=1)))
    if settings.telegram_concurrent_updates > 1:
        builder = builder.concurrent_updates(ChatOrderedUpdates(settings.telegram_concurrent_updates))
    return builder


class TelegramChannel:
    def __init__(self, settings: Settings, handle: Callable[[Incoming], list[Reply]],
                 jobs: Callable[[TelegramChannel], BackgroundJobs] | None = None,
                 first: Callable[[Incoming], list[Reply] | None] | None = None) -> None:
        """`handle` answers a message in a worker thread. With `first` (Router.first), a message is offered to
        it on the event loop before that: what it answers (flood control, the common case on the embedded
        database) skips the thread hop, which costs more than that answer; `handle` (then Router.rest) answers
        the rest. `jobs` builds the reminder scheduler and outbox dispatcher, given this channel to send
        through."""
        if not settings.telegram_token:
            raise ValueError("IPBOT_TELEGRAM_TOKEN is not set")
        self.settings = settings
        self.handle = handle
        self.first = first
        self.application = self._build()
        self.jobs = jobs(self) if jobs is not None else None
        self._server: HttpServer | None = None
        self.outbox: sessionmaker[Session] | None = None  # set: replies for other chats go through the outbox
        self.wake: Callable[[], None] = lambda: None  # the dispatcher's wake-up, when there is an outbox

    def _build(self) -> Application:  # type: ignore[type-arg]
        s = self.settings
        builder = networking(ApplicationBuilder().token(s.telegram_token or ""), s)
        if s.telegram_base_url:
            base = s.telegram_base_url.rstrip("/")
            builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
        limiter = AIORateLimiter(overall_max_rate=s.telegram_max_rate, max_retries=3)
        builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]  # PTB types it narrowly
        builder = builder.post_init(self._post_init).post_shutdown(self._post_shutdown)
        application = builder.build()
        application.add_handler(CallbackQueryHandler(self._on_button))
        application.add_handler(MessageHandler(filters.TEXT, self._on_message))
        application.add_error_handler(self._on_error)
        return application

    # ---- Telegram → Incoming -------------------------------------------------------------------
    async def _register_commands(self, application: Application) -> None:  # type: ignore[type-arg]
        await application.bot.set_my_commands([BotCommand(name, about) for name, about in COMMANDS])

    async def _post_init(self, application: Application) -> None:  # type: ignore[type-arg]
        await self._register_commands(application)
        if self.jobs is not None:
            await self.jobs.start()

    async def _post_shutdown(self, _application: Application) -> None:  # type: ignore[type-arg]
        if self.jobs is not None:
            await self.jobs.stop()

    def _is_staff_chat(self, chat_id: int) -> bool:
        return bool(self.settings.telegram_staff_chat) and str(chat_id) == self.settings.telegram_staff_chat

    def _addressed_text(self, message: Message, username: str) -> str | None:
        """The text meant for the bot, or None when a group message is not addressed to it."""
        text = message.text or ""
        mention = f"@{username}"
        if message.chat.type == "private":
            if not text.startswith("/"):
                return text
            return re.sub(rf"^(/\w+){re.escape(mention)}", r"\1", text, flags=re.IGNORECASE)
        replied = message.reply_to_message
        to_bot = replied is not None and replied.from_user is not None and replied.from_user.username == username
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            if "@" in command and not command.lower().endswith(mention.lower()):
                return None  # a command for another bot
            return re.sub(rf"^(/\w+){re.escape(mention)}", r"\1", text, flags=re.IGNORECASE)
        if mention.lower() in text.lower():
            return re.sub(re.escape(mention), "", text, flags=re.IGNORECASE).strip()
        return text if to_bot else None

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or user.is_bot:
            return
        chat = message.chat
        staff_chat = self._is_staff_chat(chat.id)
        replied = message.reply_to_message
        reply_to_text = replied.text if replied is not None and replied.from_user is not None \
            and replied.from_user.id == context.bot.id else None
        text = message.text or "" if staff_chat else self._addressed_text(message, context.bot.username)
        if text is None:
            return
        incoming = Incoming(CHANNEL, str(user.id), str(chat.id), text=text, display_name=user.full_name,
                            is_group=chat.type != "private", in_staff_chat=staff_chat, reply_to_text=reply_to_text)
        await self._answer(incoming, chat.id)

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        incoming = Incoming(CHANNEL, str(query.from_user.id), str(chat_id), payload=str(query.data or ""),
                            display_name=query.from_user.full_name)
        await self._answer(incoming, chat_id)

    def _relay(self, incoming: Incoming, replies: list[Reply]) -> list[Reply]:
        """With an outbox, replies for other chats are queued there; the rest are returned."""
        if self.outbox is None:
            return replies
        relayed = [r for r in replies if not relay.is_direct(r, CHANNEL)]
        if relay.queue(self.outbox, CHANNEL, incoming.chat_id, relayed):
            self.wake()
        return [r for r in replies if relay.is_direct(r, CHANNEL)]

    def _handle(self, incoming: Incoming) -> list[Reply]:
        return self._relay(incoming, self.handle(incoming))

    async def _answer(self, incoming: Incoming, chat_id: int) -> None:
        replies = self.first(incoming) if self.first is not None else None
        if replies is None:
            replies = await asyncio.to_thread(self._handle, incoming)
        elif self.outbox is not None and not all(relay.is_direct(r, CHANNEL) for r in replies):
            replies = await asyncio.to_thread(self._relay, incoming, replies)
        await self._deliver(replies, chat_id)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Telegram update failed: %s", context.error, exc_info=context.error)

    # ---- Reply → Telegram ----------------------------------------------------------------------
    def _target(self, reply: Reply, current_chat: int) -> int | None:
        if reply.channel not in (None, CHANNEL):
            log.warning("a reply for channel %s reached Telegram; dropped", reply.channel)
            return None
        if reply.chat_id is None:
            return current_chat
        if reply.chat_id == STAFF_CHAT:
            if not self.settings.telegram_staff_chat:
                log.warning("no IPBOT_TELEGRAM_STAFF_CHAT: a staff notice was not delivered")
                return None
            return int(self.settings.telegram_staff_chat)
        return int(reply.chat_id)

    async def _deliver(self, replies: list[Reply], current_chat: int) -> None:
        bot = self.application.bot
        for reply in replies:
            target = self._target(reply, current_chat)
            if target is None:
                continue
            if reply.image is not None:
                await bot.send_photo(chat_id=target, photo=reply.image, filename=reply.file_name,
                                     caption=reply.text[:1024] or None, api_kwargs=keyboard_fields(reply))
                continue
            pieces = split_text(reply.text)
            for number, piece in enumerate(pieces, start=1):
                fields = keyboard_fields(reply) if number == len(pieces) else None
                await send_text(bot, target, piece, fields)

    # ---- running -------------------------------------------------------------------------------
    def webhook_path(self) -> str:
        return "/" + (urlsplit(self.settings.telegram_webhook_url or "").path.strip("/") or "telegram")

    def routes(self) -> list[tuple[str, type[RequestHandler], dict[str, Any]]]:
        """The webhook on the project's HTTP server (empty in long-polling mode)."""
        if not self.settings.telegram_webhook_url:
            return []
        return [(self.webhook_path(), WebhookHandler, {"channel": self})]

    async def start(self, own_server: bool = True) -> None:
        """Start inside a running event loop: long polling, or the webhook — on the project's HTTP server when
        the caller mounts routes() there (own_server=False), else on a server of its own."""
        await self.application.initialize()
        await self._post_init(self.application)
        await self.application.start()
        allowed = [Update.MESSAGE, Update.CALLBACK_QUERY]
        if self.settings.telegram_webhook_url:
            await self.application.bot.set_webhook(url=self.settings.telegram_webhook_url, allowed_updates=allowed,
                                                   secret_token=self.settings.telegram_webhook_secret)
            if own_server:
                self._server = HttpServer(self.settings.http_listen, self.routes())
                self._server.start()
        else:
            updater = self.application.updater
            assert updater is not None
            await updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=allowed)

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()
            self._server = None
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self._post_shutdown(self.application)
        await self.application.shutdown()
