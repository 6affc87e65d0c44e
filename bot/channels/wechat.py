"""The WeChat Official Account (服务号) channel: the callback in, customer-service messages out. It only
translates; the router is the same one every channel calls.

In: `/wechat/callback` on the project's HTTP server. GET is WeChat's URL check (a SHA1 signature over the
sorted token, timestamp and nonce; `echostr` is echoed). POST carries a message: in safe mode
(IPBOT_WECHAT_AES_KEY set) encrypted, `encrypt_type=aes`, `msg_signature` over the ciphertext too, and the
AppID as receive id — the same scheme as WeCom's (bot/channels/wecom_crypto.py); in plain mode only
`signature`. Before anything is processed: body size, fresh timestamp, safe XML (defusedxml: no DTDs, no
entities), signature, decryption. Each message is taken in once — by MsgId; events by sender and create
time, as WeChat advises — and stored in the inbox before WeChat hears `success` (bot/pipeline.py), so its
retries (three, 5 seconds apart) and a second instance never process it twice.

Text and recognised voice are questions; a msgmenu click comes back as a text carrying `bizmsgmenuid`, the
pressed button's payload; a menu CLICK's EventKey "/name" is that command. A new follower gets the privacy
notice and the main menu; an unfollow is recorded, and nothing is sent to that follower any more.

Out: customer-service messages (only within 48 hours of the follower's last message: 45015 afterwards, which
parks the message with a Chinese reason), text split under 2,048 bytes, buttons as msgmenu.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException
from tornado.web import RequestHandler

from bot.channels import split
from bot.channels import wechat_texts as text
from bot.channels.wechat_api import AccountState, WeChatClient
from bot.channels.wecom_crypto import WeComCrypto, WeComCryptoError, fresh
from bot.core.delivery import PermanentFailure
from bot.core.messages import Button, Incoming, Reply, StaffChat, Target
from bot.core.send_limits import ChannelLimits, Window
from bot.http_server import Route
from bot.pipeline import Pipeline
from bot.settings import Settings

log = logging.getLogger(__name__)
CHANNEL = "wechat"
PATH = "/wechat/callback"
MAX_BODY = 64 * 1024  # WeChat's callbacks are small; anything bigger is not from WeChat
MAX_TEXT_BYTES = 2048  # a customer-service text message
HEAD_BYTES = 1024  # a text this short goes on the msgmenu itself
MENU_ITEMS = 10  # buttons in one msgmenu
FOLLOWER_PER_MINUTE = 20


def plain_signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def _texts(body: str) -> list[dict[str, Any]]:
    return [{"msgtype": "text", "text": {"content": piece}}
            for piece in split.split_text(body, MAX_TEXT_BYTES, split.utf8_size) if piece]


def _menu(head: str, buttons: list[Button]) -> dict[str, Any]:
    return {"msgtype": "msgmenu", "msgmenu": {
        "head_content": head, "list": [{"id": b.payload, "content": b.label} for b in buttons], "tail_content": ""}}


def render(reply: Reply) -> list[dict[str, Any]]:
    """A Reply as customer-service messages: a short text with buttons is one msgmenu (the text as its
    head); otherwise the text, then the buttons as msgmenus of up to MENU_ITEMS."""
    buttons = [b for row in reply.buttons for b in row]
    body = reply.text if reply.image is None else f"{reply.text}\n{text.IMAGE_NOT_SENT}".strip()
    groups = [buttons[start:start + MENU_ITEMS] for start in range(0, len(buttons), MENU_ITEMS)]
    if groups and body and split.utf8_size(body) <= HEAD_BYTES:
        return [_menu(body, groups[0]), *(_menu(text.CHOOSE, group) for group in groups[1:])]
    return [*_texts(body), *(_menu(text.CHOOSE, group) for group in groups)]


class WeChatSender:
    """Sends outbox messages to followers; the staff chat is not on WeChat."""

    def __init__(self, client: WeChatClient, state: AccountState) -> None:
        self.client = client
        self.state = state

    async def send(self, to: Target, reply: Reply) -> None:
        if isinstance(to, StaffChat):
            raise PermanentFailure(text.NO_STAFF_CHAT)
        if await asyncio.to_thread(self.state.has_unfollowed, to.chat):
            raise PermanentFailure(text.UNFOLLOWED)
        for message in render(reply):
            await self.client.send(to.chat, message)


def send_limits() -> ChannelLimits:
    return ChannelLimits(overall=None, per_chat=lambda _to: Window(FOLLOWER_PER_MINUTE, 60.0))


@dataclass(frozen=True)
class Answer:
    """What the callback endpoint answers, and what (if anything) it took in, under which keys."""

    status: int
    body: str = ""
    items: list[tuple[str, Incoming]] = field(default_factory=list)
    followed: str | None = None  # openid that (re)followed
    unfollowed: tuple[str, str] | None = None  # (openid, create time) that unfollowed


def _field(node: Element, name: str) -> str:
    found = node.find(name)
    return (found.text or "").strip() if found is not None else ""


class WeChatCallback:
    """The callback endpoint's checks and translation, apart from any HTTP framework."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.token = settings.wechat_token or ""
        self.crypto = WeComCrypto(self.token, settings.wechat_aes_key, settings.wechat_app_id or "") \
            if settings.wechat_aes_key else None
        self.clock = clock

    def _fresh(self, query: dict[str, str]) -> bool:
        return fresh(query.get("timestamp", ""), self.clock())

    def _signed(self, query: dict[str, str]) -> bool:
        expected = plain_signature(self.token, query.get("timestamp", ""), query.get("nonce", ""))
        return hmac.compare_digest(expected, query.get("signature", "").lower())

    def verify_url(self, query: dict[str, str]) -> Answer:
        if not self._fresh(query):
            return Answer(403, "stale or missing timestamp")
        if not self._signed(query):
            return Answer(403, "bad signature")
        return Answer(200, query.get("echostr", ""))

    def receive(self, query: dict[str, str], body: bytes) -> Answer:
        if len(body) > MAX_BODY:
            return Answer(413, "body too large")
        if not self._fresh(query):
            return Answer(403, "stale or missing timestamp")
        try:
            message = SafeXml.fromstring(body, forbid_dtd=True)
            if self.crypto is not None:
                if query.get("encrypt_type") != "aes":
                    return Answer(403, "safe mode: only encrypted messages are taken")
                encrypted = _field(message, "Encrypt")
                self.crypto.verify(query.get("msg_signature", ""), query["timestamp"], query.get("nonce", ""),
                                   encrypted)
                message = SafeXml.fromstring(self.crypto.decrypt(encrypted).encode(), forbid_dtd=True)
            elif not self._signed(query):
                return Answer(403, "bad signature")
        except WeComCryptoError as exc:
            return Answer(403, str(exc))
        except (DefusedXmlException, SafeXml.ParseError) as exc:
            return Answer(400, f"bad XML: {exc.__class__.__name__}")
        return self._translate(message)

    def _translate(self, message: Element) -> Answer:
        sender = _field(message, "FromUserName")
        kind = _field(message, "MsgType")
        if not sender:
            return Answer(200)
        if kind == "event":
            return self._event(message, sender)
        key = f"msg:{_field(message, 'MsgId') or sender + ':' + _field(message, 'CreateTime')}"
        if kind == "text" and _field(message, "bizmsgmenuid"):  # a msgmenu button was pressed
            return Answer(200, items=[(key, self._incoming(sender, payload=_field(message, "bizmsgmenuid")))])
        if kind == "text":
            return Answer(200, items=[(key, self._incoming(sender, text=_field(message, "Content")))])
        if kind == "voice" and _field(message, "Recognition"):  # WeChat's speech recognition
            return Answer(200, items=[(key, self._incoming(sender, text=_field(message, "Recognition")))])
        return Answer(200, items=[(key, self._incoming(sender, attachment="other"))])

    def _event(self, message: Element, sender: str) -> Answer:
        event = _field(message, "Event").lower()
        created = _field(message, "CreateTime")
        # WeChat advises sender + create time; with what happened, two events in one second stay apart
        key = f"event:{sender}:{created}:{event}:{_field(message, 'EventKey')}"
        if event == "subscribe":  # the privacy notice, then the main menu (one transaction, in this order)
            return Answer(200, items=[(f"{key}:privacy", self._incoming(sender, text="/privacy")),
                                      (key, self._incoming(sender, text="/start"))], followed=sender)
        if event == "unsubscribe":
            return Answer(200, unfollowed=(sender, created))
        if event == "click":
            payload = _field(message, "EventKey")
            if payload.startswith("/"):  # the account menu: a command, as if typed
                return Answer(200, items=[(key, self._incoming(sender, text=payload))])
            return Answer(200, items=[(key, self._incoming(sender, payload=payload))])
        return Answer(200)  # VIEW, SCAN, LOCATION, template-send reports …: nothing a person said

    @staticmethod
    def _incoming(openid: str, **what: Any) -> Incoming:
        return Incoming(CHANNEL, openid, openid, display_name=openid, **what)


class WeChatChannel:
    """Takes callbacks in (into the pipeline) and sends the outbox's messages as customer-service messages."""

    name = CHANNEL
    media = None  # pictures followers send are not fetched (yet)

    def __init__(self, settings: Settings, pipeline: Pipeline, writer: AbstractContextManager[object] | None = None,
                 http_client: Any = None) -> None:
        self.pipeline = pipeline
        self.callback = WeChatCallback(settings)
        self.state = AccountState(pipeline.sessions, writer or contextlib.nullcontext())
        self.client = WeChatClient(settings.wechat_api_base_url, settings.wechat_app_id or "",
                                   settings.wechat_app_secret or "", self.state, http_client)
        self.sender = WeChatSender(self.client, self.state)
        self.limits = send_limits()

    def routes(self) -> list[Route]:
        return [(PATH, CallbackHandler, {"channel": self})]

    async def start(self) -> None:
        pass  # callbacks arrive through the HTTP server

    async def stop(self) -> None:
        pass  # the HTTP server, which takes callbacks in, is stopped by the app

    async def close(self) -> None:
        await self.client.close()

    async def take(self, answer: Answer) -> None:
        """Store what the callback brought, before WeChat is told `success`."""
        if answer.unfollowed is not None:
            await asyncio.to_thread(self.state.unfollowed, *answer.unfollowed)
        if answer.followed is not None:
            await asyncio.to_thread(self.state.followed, answer.followed)
        if answer.items:
            await self.pipeline.take(CHANNEL, answer.items)


class CallbackHandler(RequestHandler):
    def initialize(self, channel: WeChatChannel) -> None:
        self.channel = channel

    def _query(self) -> dict[str, str]:
        return {name: self.get_query_argument(name) for name in self.request.query_arguments}

    def _answer(self, status: int, body: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(body)

    async def get(self) -> None:
        answer = self.channel.callback.verify_url(self._query())
        self._answer(answer.status, answer.body)

    async def post(self) -> None:
        answer = await asyncio.to_thread(self.channel.callback.receive, self._query(), self.request.body)
        if answer.status != 200:
            log.warning("WeChat callback refused (%d): %s", answer.status, answer.body)
            self._answer(answer.status, answer.body)
            return
        try:  # stored before WeChat hears success; a retry of a stored one is a no-op
            await self.channel.take(answer)
        except Exception:
            log.exception("WeChat callback not stored; WeChat will send it again")
            self._answer(500, "not stored")
            return
        self._answer(200, "success")
