"""The Telegram channel: Bot API updates in, the outbox's messages out. It only translates.

In: long polling with its own getUpdates loop, so that nothing is confirmed to Telegram before it is stored:
each batch goes into the inbox (bot/pipeline.py) and is committed, and only then does the next getUpdates
carry the offset that confirms it (python-telegram-bot's Updater confirms a batch as soon as it has read it,
before it is handled: a crash then lost the batch). A webhook (IPBOT_TELEGRAM_WEBHOOK_URL) answers Telegram
only after the update is stored, with the secret-token header checked. Updates are read as the Bot API's
JSON and translated here; python-telegram-bot's Bot makes the calls (on aiohttp, JSON bodies: telegram_request.py).

Out: TelegramSender, for the outbox. Texts go without a parse mode, so nothing a user or the knowledge base
writes can be read as markup; long texts are split under Telegram's 4,096-character limit.

Files: a photo (or a file that says it is an image) comes in as its file id (Incoming.photos; a sticker or
another file as Incoming.attachment); TelegramMedia fetches it later for the photo downloader
(bot/photo_fetcher.py): getFile, then the file endpoint, never more than the limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import warnings
from typing import Any
from urllib.parse import urlsplit

import httpx
from telegram import Bot, BotCommand
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBUserWarning
from tornado.web import RequestHandler

from bot.channels import split
from bot.channels.telegram_request import AiohttpRequest
from bot.channels.telegram_updates import CHANNEL, Translator, valid_id, well_formed
from bot.core.delivery import PermanentFailure, TemporaryFailure
from bot.core.messages import Reply, StaffChat, Target
from bot.core.send_limits import ChannelLimits, Window
from bot.http_server import Route
from bot.media_source import MediaTooLarge, read_limited
from bot.pipeline import Pipeline
from bot.settings import Settings
from handlers.commands import menu_commands

log = logging.getLogger(__name__)
MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
POLL_TIMEOUT = 25  # seconds a getUpdates call waits for news
ALLOWED_UPDATES = ["message", "callback_query"]
GROUP_PER_MINUTE = 20  # Telegram: no more than 20 messages a minute to one group
PRIVATE_PER_SECOND = 1  # and about one a second to one person (proactive messages; see bot/core/outbox.py)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends where possible."""
    return split.split_text(text, limit)


def keyboard_fields(reply: Reply) -> dict[str, Any] | None:
    """The reply's buttons as the Bot API's reply_markup (an inline keyboard)."""
    if not reply.buttons:
        return None
    return {"reply_markup": {"inline_keyboard": [[{"text": b.label, "callback_data": b.payload} for b in row]
                                                 for row in reply.buttons]}}


# Calls go through do_api_request, which warns that Bot.send_message exists: it is meant (see send_text).
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.\w+' instead", category=PTBUserWarning)


async def send_text(bot: Bot, chat_id: int, text: str, fields: dict[str, Any] | None) -> None:
    """sendMessage through PTB's request path (errors as PTB raises them), without parsing Telegram's answer
    into a Message nobody reads."""
    await bot.do_api_request("sendMessage", api_kwargs={"chat_id": chat_id, "text": text, **(fields or {})})


def send_limits(settings: Settings) -> ChannelLimits:
    """Telegram's limits for the outbox: ~30 messages a second overall, 20 a minute per group."""

    def per_chat(to: Target) -> Window:
        is_group = isinstance(to, StaffChat) or to.chat.startswith("-")
        return Window(GROUP_PER_MINUTE, 60.0) if is_group else Window(PRIVATE_PER_SECOND, 1.0)

    return ChannelLimits(overall=Window(int(settings.telegram_max_rate), 1.0), per_chat=per_chat)


def make_bot(settings: Settings) -> Bot:
    base = (settings.telegram_base_url or "https://api.telegram.org").rstrip("/")
    return Bot(settings.telegram_token or "", base_url=f"{base}/bot", base_file_url=f"{base}/file/bot",
               request=AiohttpRequest(connection_pool_size=32),
               get_updates_request=AiohttpRequest(connection_pool_size=1, read_timeout=POLL_TIMEOUT + 10))


class TelegramMedia:
    """Files users sent, for the photo downloader: getFile, then the download from the file endpoint."""

    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        base = (settings.telegram_base_url or "https://api.telegram.org").rstrip("/")
        self.api = f"{base}/bot{settings.telegram_token}"
        self.files = f"{base}/file/bot{settings.telegram_token}"
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(30.0))

    async def fetch(self, file_id: str, limit: int) -> bytes:
        try:
            answer = (await self.http.post(f"{self.api}/getFile", json={"file_id": file_id})).json()
        except (httpx.HTTPError, ValueError) as exc:
            raise TemporaryFailure(f"getFile failed: {exc.__class__.__name__}") from exc
        if not isinstance(answer, dict) or not answer.get("ok"):
            code = answer.get("error_code") if isinstance(answer, dict) else None
            if code == 429 or (isinstance(code, int) and code >= 500):
                raise TemporaryFailure(f"getFile: {code}")
            raise PermanentFailure(f"getFile refused: {answer}")
        result = answer.get("result") or {}
        if int(result.get("file_size") or 0) > limit:
            raise MediaTooLarge("over the limit (getFile)")
        if not result.get("file_path"):
            raise PermanentFailure("getFile gave no file_path")
        try:
            async with self.http.stream("GET", f"{self.files}/{result['file_path']}") as response:
                if response.status_code != 200:
                    failure = TemporaryFailure if response.status_code >= 500 else PermanentFailure
                    raise failure(f"file download: HTTP {response.status_code}")
                return await read_limited(response.aiter_bytes(), limit)
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"file download failed: {exc.__class__.__name__}") from exc

    async def close(self) -> None:
        await self.http.aclose()


class TelegramSender:
    """Sends outbox messages, translating Telegram's errors for the dispatcher."""

    def __init__(self, bot: Bot, staff_chat: str | None) -> None:
        self.bot = bot
        self.staff_chat = staff_chat

    async def send(self, to: Target, reply: Reply) -> None:
        if isinstance(to, StaffChat):
            if not self.staff_chat:
                raise PermanentFailure("no staff chat configured (IPBOT_TELEGRAM_STAFF_CHAT)")
            chat = self.staff_chat
        else:
            chat = to.chat
        try:
            target = int(chat)
        except ValueError as exc:
            raise PermanentFailure(f"not a Telegram chat id: {chat}") from exc
        try:
            await self._deliver(reply, target)
        except RetryAfter as exc:
            retry = exc.retry_after
            raise TemporaryFailure(str(exc), retry if isinstance(retry, (int, float)) else retry.total_seconds()) \
                from exc
        except (Forbidden, BadRequest) as exc:
            raise PermanentFailure(str(exc)) from exc
        except NetworkError as exc:  # timeouts and 5xx included
            raise TemporaryFailure(str(exc)) from exc

    async def _deliver(self, reply: Reply, chat: int) -> None:
        if reply.image is not None:
            await self.bot.send_photo(chat_id=chat, photo=reply.image, filename=reply.file_name,
                                      caption=reply.text[:1024] or None, api_kwargs=keyboard_fields(reply))
            return
        pieces = split_text(reply.text)
        for number, piece in enumerate(pieces, start=1):
            await send_text(self.bot, chat, piece, keyboard_fields(reply) if number == len(pieces) else None)


class WebhookHandler(RequestHandler):
    """Telegram's webhook calls: the secret-token header must match; Telegram hears 200 once it is stored."""

    def initialize(self, channel: TelegramChannel) -> None:
        self.channel = channel

    async def post(self) -> None:
        expected = self.channel.settings.telegram_webhook_secret or ""
        given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):  # never open
            self.set_status(403)
            self.finish()
            return
        try:
            update = json.loads(self.request.body)
        except (ValueError, RecursionError):  # not JSON, or nested past any real update
            update = None
        if not well_formed(update):
            self.set_status(400)
            self.finish()
            return
        await self.channel.take([update["update_id"]], [update])
        self.finish()


class TelegramChannel:
    name = CHANNEL

    def __init__(self, settings: Settings, pipeline: Pipeline) -> None:
        if not settings.telegram_token:
            raise ValueError("IPBOT_TELEGRAM_TOKEN is not set")
        self.settings = settings
        self.pipeline = pipeline
        self.bot = make_bot(settings)
        self.translator = Translator(settings.telegram_staff_chat)
        self.sender = TelegramSender(self.bot, settings.telegram_staff_chat)
        self.media = TelegramMedia(settings)
        self.limits = send_limits(settings)
        self._polling: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()

    def routes(self) -> list[Route]:
        """The webhook on the project's HTTP server (empty in long-polling mode)."""
        if not self.settings.telegram_webhook_url:
            return []
        path = "/" + (urlsplit(self.settings.telegram_webhook_url).path.strip("/") or "telegram")
        return [(path, WebhookHandler, {"channel": self})]

    async def take(self, update_ids: list[int], updates: list[dict[str, Any]]) -> None:
        """Store what the updates say (committed when this returns), then let Telegram stop the spinner of
        each pressed button."""
        items = []
        for update_id, update in zip(update_ids, updates, strict=True):
            incoming = self.translator.incoming(update)
            if incoming is not None:
                items.append((str(update_id), incoming))
        await self.pipeline.take(CHANNEL, items)
        for update in updates:
            query = update.get("callback_query")
            if isinstance(query, dict) and query.get("id"):
                self._spawn(self._answer_query(str(query["id"])))

    async def _answer_query(self, query_id: str) -> None:
        try:
            await self.bot.do_api_request("answerCallbackQuery", api_kwargs={"callback_query_id": query_id})
        except Exception as exc:  # only the button's spinner depends on it
            log.info("answerCallbackQuery failed: %s", exc)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _poll(self) -> None:
        offset: int | None = None
        backoff = 1.0
        while True:
            kwargs: dict[str, Any] = {"timeout": POLL_TIMEOUT, "allowed_updates": ALLOWED_UPDATES}
            if offset is not None:
                kwargs["offset"] = offset  # confirms everything before it: stored by now
            try:
                updates = await self.bot.do_api_request("getUpdates", api_kwargs=kwargs,
                                                        read_timeout=POLL_TIMEOUT + 10)
                if not isinstance(updates, list):
                    updates = []
                valid = [u for u in updates if well_formed(u)]
                await self.take([u["update_id"] for u in valid], valid)
                # a malformed update is confirmed with the rest, never fetched again and again
                seen = [u["update_id"] for u in updates if isinstance(u, dict) and valid_id(u.get("update_id"))]
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Telegram or the database unreachable: the same updates come again
                log.warning("getUpdates round failed (%s); retrying in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            if seen:
                offset = max(seen) + 1

    async def start(self) -> None:
        await self.bot.initialize()
        self.translator.bot_id, self.translator.username = self.bot.id, self.bot.username
        try:
            await self.bot.set_my_commands([BotCommand(name, about) for name, about in menu_commands()])
        except NetworkError as exc:
            log.warning("Telegram command list not set: %s", exc)
        if self.settings.telegram_webhook_url:
            await self.bot.set_webhook(url=self.settings.telegram_webhook_url, allowed_updates=ALLOWED_UPDATES,
                                       secret_token=self.settings.telegram_webhook_secret)
        else:
            await self.bot.delete_webhook()
            self._polling = asyncio.create_task(self._poll())

    async def stop(self) -> None:
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
            self._polling = None
        for task in list(self._background):
            with contextlib.suppress(Exception):
                await task

    async def close(self) -> None:
        await self.bot.shutdown()
        await self.media.close()
