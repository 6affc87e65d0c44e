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

Text and recognised voice are questions; a picture is its MediaId (Incoming.photos), fetched later with
media/get by the photo downloader, which cleans it as it does every channel's (bot/photo_fetcher.py); a msgmenu
click comes back as a text carrying `bizmsgmenuid`, the pressed button's payload; a menu CLICK's EventKey
"/name" is that command. A new follower gets the privacy notice and the main menu — or, when they followed
through a QR code with a scene (EventKey qrscene_<scene>), what the scene names (SCENES); a follower scanning
one (SCAN, EventKey <scene>) gets the same. An unfollow is recorded, and nothing is sent to that follower any
more. Each interaction is noted with the inbox row (bot/channels/wechat_state.py).

Out: customer-service messages within WeChat's window (48 hours after the follower's last message), text split
under 2,048 bytes, buttons as msgmenu. Outside it (known from the follower table, or told by errcode 45015) a
reminder, a report's news or a survey invitation goes as a template message when the office configured one
for its kind (IPBOT_WECHAT_TEMPLATES, bot/channels/wechat_templates.py); anything else is parked as dead with a
Chinese reason /outbox and the console show. Nothing is retried into 45015.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException
from tornado.web import RequestHandler

from bot.channels import split, wechat_templates
from bot.channels import wechat_texts as text
from bot.channels.wechat_api import WeChatClient, WindowClosed
from bot.channels.wechat_menu import SCENES
from bot.channels.wechat_state import AccountState, Interaction, Reach
from bot.channels.wecom_crypto import WeComCrypto, WeComCryptoError, fresh
from bot.core.clock import Clock, system_clock
from bot.core.delivery import Undeliverable
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
    """Sends outbox messages to followers, by the 48-hour rule; the staff chat is not on WeChat."""

    def __init__(self, client: WeChatClient, state: AccountState,
                 templates: dict[str, wechat_templates.Template] | None = None, zone: str = "Asia/Shanghai",
                 clock: Clock = system_clock) -> None:
        self.client = client
        self.state = state
        self.templates = templates or {}
        self.zone = ZoneInfo(zone)
        self.clock = clock

    async def send(self, to: Target, reply: Reply) -> None:
        if isinstance(to, StaffChat):
            raise Undeliverable(text.NO_STAFF_CHAT)
        reach = await asyncio.to_thread(self.state.reach, to.chat, self.clock())
        if reach is Reach.UNFOLLOWED:
            raise Undeliverable(text.UNFOLLOWED)
        if reach is not Reach.CLOSED:
            try:
                for message in render(reply):
                    await self.client.send(to.chat, message)
                return
            except WindowClosed:  # WeChat knows better than the follower table: a template message, or nothing
                await asyncio.to_thread(self.state.window_closed, to.chat, self.clock())
        await self._template(to.chat, reply)

    async def _template(self, openid: str, reply: Reply) -> None:
        if reply.kind is None:
            raise Undeliverable(text.NOT_A_TEMPLATE_KIND)
        template = self.templates.get(reply.kind)
        if template is None:
            raise Undeliverable(text.NO_TEMPLATE.format(kind=wechat_templates.KIND_NAMES.get(reply.kind, reply.kind)))
        await self.client.send_template(template.payload(openid, reply.kind, reply.text,
                                                         self.clock().astimezone(self.zone)))


def send_limits() -> ChannelLimits:
    return ChannelLimits(overall=None, per_chat=lambda _to: Window(FOLLOWER_PER_MINUTE, 60.0))


@dataclass(frozen=True)
class Answer:
    """What the callback endpoint answers, and what (if anything) it took in, under which keys."""

    status: int
    body: str = ""
    items: list[tuple[str, Incoming]] = field(default_factory=list)
    interaction: Interaction | None = None  # noted with the items (the follower table)


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

    def _created(self, message: Element) -> dt.datetime:
        """When the follower did it (WeChat's CreateTime; now, when it is missing or odd)."""
        try:
            return dt.datetime.fromtimestamp(int(_field(message, "CreateTime")), dt.UTC)
        except (ValueError, OverflowError, OSError):
            return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def _translate(self, message: Element) -> Answer:
        sender = _field(message, "FromUserName")
        kind = _field(message, "MsgType")
        if not sender:
            return Answer(200)
        if kind == "event":
            return self._event(message, sender)
        key = f"msg:{_field(message, 'MsgId') or sender + ':' + _field(message, 'CreateTime')}"
        wrote = Interaction(sender, "message", self._created(message))
        if kind == "text" and _field(message, "bizmsgmenuid"):  # a msgmenu button was pressed
            incoming = self._incoming(sender, payload=_field(message, "bizmsgmenuid"))
        elif kind == "text":
            incoming = self._incoming(sender, text=_field(message, "Content"))
        elif kind == "voice" and _field(message, "Recognition"):  # WeChat's speech recognition
            incoming = self._incoming(sender, text=_field(message, "Recognition"))
        elif kind == "image" and _field(message, "MediaId"):  # fetched later by media/get (bot/photo_fetcher.py)
            incoming = self._incoming(sender, photos=(_field(message, "MediaId"),))
        else:
            incoming = self._incoming(sender, attachment="other")
        return Answer(200, items=[(key, incoming)], interaction=wrote)

    def _event(self, message: Element, sender: str) -> Answer:
        event = _field(message, "Event").lower()
        created = _field(message, "CreateTime")
        event_key = _field(message, "EventKey")
        # WeChat advises sender + create time; with what happened, two events in one second stay apart
        key = f"event:{sender}:{created}:{event}:{event_key}"
        at = self._created(message)
        if event == "subscribe":  # the privacy notice, then the main menu or the QR code's scene (in this order)
            command = SCENES.get(event_key.removeprefix("qrscene_"), "/start")
            return Answer(200, items=[(f"{key}:privacy", self._incoming(sender, text="/privacy")),
                                      (key, self._incoming(sender, text=command))],
                          interaction=Interaction(sender, "follow", at))
        if event == "unsubscribe":
            return Answer(200, interaction=Interaction(sender, "unfollow", at))
        if event == "scan":  # a follower scanned a QR code with a scene
            command = SCENES.get(event_key, "/start")
            return Answer(200, items=[(key, self._incoming(sender, text=command))],
                          interaction=Interaction(sender, "event", at))
        if event == "click":
            if event_key.startswith("/"):  # the account menu: a command, as if typed
                incoming = self._incoming(sender, text=event_key)
            else:
                incoming = self._incoming(sender, payload=event_key)
            return Answer(200, items=[(key, incoming)], interaction=Interaction(sender, "event", at))
        return Answer(200)  # VIEW, LOCATION, template-send reports …: nothing a person said

    @staticmethod
    def _incoming(openid: str, **what: Any) -> Incoming:
        return Incoming(CHANNEL, openid, openid, display_name=openid, **what)


class WeChatChannel:
    """Takes callbacks in (into the pipeline) and sends the outbox's messages as customer-service messages
    (template messages outside the 48-hour window)."""

    name = CHANNEL

    def __init__(self, settings: Settings, pipeline: Pipeline, writer: AbstractContextManager[object] | None = None,
                 http_client: Any = None) -> None:
        """Raises DataFileError when IPBOT_WECHAT_TEMPLATES names a file that does not load."""
        self.pipeline = pipeline
        self.callback = WeChatCallback(settings)
        self.state = AccountState(pipeline.sessions, writer or contextlib.nullcontext())
        self.client = WeChatClient(settings.wechat_api_base_url, settings.wechat_app_id or "",
                                   settings.wechat_app_secret or "", self.state, http_client)
        templates = wechat_templates.load(Path(settings.wechat_templates)) if settings.wechat_templates else {}
        self.sender = WeChatSender(self.client, self.state, templates, settings.timezone, pipeline.clock)
        self.media = self.client  # pictures followers send: media/get
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
        """Store what the callback brought (and note the follower's interaction in the same transaction),
        before WeChat is told `success`."""
        if answer.items or answer.interaction is not None:
            note = None if answer.interaction is None else answer.interaction.note
            await self.pipeline.take(CHANNEL, answer.items, alongside=note)


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
