"""The WeCom (企业微信) channel: the self-built app's callback in, the send API and the group robot out.
It only translates; the router is the same one every channel calls.

In: `/wecom/callback` on the project's HTTP server. GET is WeCom's URL check; POST carries an encrypted XML
message. Before anything is processed: body size, fresh timestamp, safe XML (defusedxml: no DTDs, no
entities), signature, decryption and the corp id as receiver. Each message is taken in once (MsgId; events:
sender + create time + what was clicked), recorded in the database, so WeCom's retries — it waits 5 seconds,
then tries again, three times — and a second instance never process it twice. WeCom gets its empty 200 at
once it is stored in the inbox (bot/pipeline.py): a crash after that 200 loses nothing, and a retry of a
stored callback is a no-op. The answer follows through the outbox and the send API.

Out: every reply goes through the outbox (per-member limit: WeCom drops what exceeds 30 a minute), as text
split under 2,048 bytes, buttons as button_interaction template cards (six buttons a card) whose clicks come
back as template_card_event with the same payloads as Telegram's buttons, pictures (the survey chart) uploaded
as media. An image message comes in as its MediaId (Incoming.photos), fetched later with media/get by the
photo downloader (bot/photo_fetcher.py). The staff chat is the staff group's robot (20 messages a minute). A
staff member sending /reply N or /end N to the app answers a handoff (the router's staff commands).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException
from tornado.web import RequestHandler

from bot.channels import split
from bot.channels import wecom_texts as text
from bot.channels.wecom_api import RobotClient, WeComClient
from bot.channels.wecom_crypto import WeComCrypto, WeComCryptoError, fresh
from bot.core.delivery import PermanentFailure, TemporaryFailure
from bot.core.messages import Button, Incoming, Reply, StaffChat, Target
from bot.core.send_limits import ChannelLimits, Window
from bot.http_server import Route
from bot.pipeline import Pipeline
from bot.settings import Settings
from handlers.commands import app_menu_commands

log = logging.getLogger(__name__)
CHANNEL = "wecom"
PATH = "/wecom/callback"
MAX_BODY = 64 * 1024  # WeCom's callbacks are small; anything bigger is not from WeCom
MAX_TEXT_BYTES = 2048
BUTTONS_PER_CARD = 6
BUTTON_CHARS = 10  # WeCom shows about this many characters on a card button
CARD_TEXT_CHARS = 112  # and about this many in a card's sub_title_text
MEMBER_PER_MINUTE = 30  # message/send: more to one member in a minute is dropped by WeCom
ROBOT_PER_MINUTE = 20
ROBOT_IMAGE_BYTES = 2 * 1024 * 1024  # the robot takes pictures up to 2 MB
MENU_TOP = 3  # buttons in the app's menu bar


def split_bytes(message: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes, cut at line ends where possible, never inside a character."""
    return split.split_text(message, limit, split.utf8_size)


def _texts(body: str) -> list[dict[str, Any]]:
    """Text messages, each under WeCom's 2,048 bytes."""
    return [{"msgtype": "text", "text": {"content": piece}} for piece in split_bytes(body) if piece]


def _button_text(label: str) -> str:
    return label if len(label) <= BUTTON_CHARS else label[:BUTTON_CHARS - 1] + "…"


def _shortened(buttons: list[Button]) -> bool:
    return any(len(b.label) > BUTTON_CHARS for b in buttons)


def card(buttons: list[Button], subtitle: str | None = None) -> dict[str, Any]:
    """A button_interaction card; when labels had to be shortened, the full ones are listed on it."""
    template: dict[str, Any] = {
        "card_type": "button_interaction",
        "main_title": {"title": text.CARD_TITLE},
        "task_id": f"ipbot-{uuid.uuid4().hex}",
        "button_list": [{"text": _button_text(b.label), "style": 1, "key": b.payload} for b in buttons],
    }
    if _shortened(buttons):
        subtitle = "\n".join(f"{n}. {b.label}" for n, b in enumerate(buttons, start=1))
    if subtitle:
        template["sub_title_text"] = subtitle
    return {"msgtype": "template_card", "template_card": template}


def render(reply: Reply) -> list[dict[str, Any]]:
    """A Reply as app messages: a short text with buttons is one card (a survey step is one message, which
    matters under WeCom's 30 a minute per member); otherwise the text, then the buttons as cards."""
    body = reply.text
    buttons = [b for row in reply.buttons for b in row]
    groups = [buttons[start:start + BUTTONS_PER_CARD] for start in range(0, len(buttons), BUTTONS_PER_CARD)]
    if groups and len(body) <= CARD_TEXT_CHARS and not _shortened(groups[0]):
        return [card(groups[0], body), *(card(group) for group in groups[1:])]
    return [*_texts(body), *(card(group) for group in groups)]


def render_for_robot(reply: Reply) -> list[dict[str, Any]]:
    """A robot cannot receive clicks: text, with a note where buttons were, and a picture as base64."""
    body = reply.text
    if reply.buttons:
        body = f"{body}\n{text.BUTTONS_IN_APP}"
    messages = _texts(body)
    if reply.image is not None:
        if len(reply.image) > ROBOT_IMAGE_BYTES:
            messages.append({"msgtype": "text", "text": {"content": text.IMAGE_TOO_LARGE}})
        else:
            messages.append({"msgtype": "image", "image": {"base64": base64.b64encode(reply.image).decode(),
                                                           "md5": hashlib.md5(reply.image).hexdigest()}})
    return messages


class WeComSender:
    """Sends outbox messages: to a member through the app, to the staff chat through the robot."""

    def __init__(self, client: WeComClient, robot: RobotClient | None) -> None:
        self.client = client
        self.robot = robot

    async def send(self, to: Target, reply: Reply) -> None:
        if isinstance(to, StaffChat):
            if self.robot is None:
                raise PermanentFailure("no IPBOT_WECOM_ROBOT_WEBHOOK_URL for the staff group")
            for message in render_for_robot(reply):
                await self.robot.send(message)
            return
        chat_id = to.chat
        messages = render(reply)
        texts = [m for m in messages if m["msgtype"] == "text"]
        for message in texts:
            await self.client.send(chat_id, message)
        if reply.image is not None:
            media_id = await self.client.upload_image(reply.image, reply.file_name or "chart.png")
            await self.client.send(chat_id, {"msgtype": "image", "image": {"media_id": media_id}})
        for message in messages[len(texts):]:
            await self.client.send(chat_id, message)


def app_menu(entries: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The command table's app-menu entries (label, command) as the app's menu; a click sends the command
    (key "/name"). WeCom shows three buttons, so a fourth and later go under 更多 (at most five)."""
    click = [{"type": "click", "name": label, "key": f"/{name}"} for label, name in entries]
    if len(click) <= MENU_TOP:
        return click
    return [*click[:MENU_TOP - 1], {"name": text.MENU_MORE, "sub_button": click[MENU_TOP - 1:MENU_TOP + 4]}]


def send_limits() -> ChannelLimits:
    def per_chat(to: Target) -> Window:
        return Window(ROBOT_PER_MINUTE, 60.0) if isinstance(to, StaffChat) else Window(MEMBER_PER_MINUTE, 60.0)

    return ChannelLimits(overall=None, per_chat=per_chat)


@dataclass(frozen=True)
class Answer:
    """What the callback endpoint answers, and what (if anything) it took in, under which key."""

    status: int
    body: str = ""
    incoming: Incoming | None = None
    key: str = ""


def _field(node: Element, name: str) -> str:
    found = node.find(name)
    return (found.text or "").strip() if found is not None else ""


class WeComCallback:
    """The callback endpoint's checks and translation, apart from any HTTP framework."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.crypto = WeComCrypto(settings.wecom_token or "", settings.wecom_aes_key or "",
                                  settings.wecom_corp_id or "")
        self.clock = clock

    def _fresh(self, query: dict[str, str]) -> bool:
        return fresh(query.get("timestamp", ""), self.clock())

    def verify_url(self, query: dict[str, str]) -> Answer:
        if not self._fresh(query):
            return Answer(403, "stale or missing timestamp")
        try:
            echo = self.crypto.verify_url(query.get("msg_signature", ""), query["timestamp"],
                                          query.get("nonce", ""), query.get("echostr", ""))
        except WeComCryptoError as exc:
            return Answer(403, str(exc))
        return Answer(200, echo)

    def receive(self, query: dict[str, str], body: bytes) -> Answer:
        if len(body) > MAX_BODY:
            return Answer(413, "body too large")
        if not self._fresh(query):
            return Answer(403, "stale or missing timestamp")
        try:
            envelope = SafeXml.fromstring(body, forbid_dtd=True)
        except (DefusedXmlException, SafeXml.ParseError) as exc:
            return Answer(400, f"bad XML: {exc.__class__.__name__}")
        encrypted = _field(envelope, "Encrypt")
        try:
            self.crypto.verify(query.get("msg_signature", ""), query["timestamp"], query.get("nonce", ""), encrypted)
            plain = self.crypto.decrypt(encrypted)
            message = SafeXml.fromstring(plain.encode(), forbid_dtd=True)
        except WeComCryptoError as exc:
            return Answer(403, str(exc))
        except (DefusedXmlException, SafeXml.ParseError) as exc:
            return Answer(400, f"bad XML: {exc.__class__.__name__}")
        incoming, key = self._translate(message)
        if key is None or incoming is None:
            return Answer(200)  # nothing a person said (e.g. opening the app)
        return Answer(200, "", incoming, key)

    def _translate(self, message: Element) -> tuple[Incoming | None, str | None]:
        sender = _field(message, "FromUserName")
        kind = _field(message, "MsgType")
        if not sender:
            return None, None
        if kind == "event":
            event = _field(message, "Event")
            if event not in ("template_card_event", "click"):  # a card button, or the app's menu
                return None, None
            payload = _field(message, "EventKey")
            key = f"event:{sender}:{_field(message, 'CreateTime')}:{_field(message, 'TaskId')}:{payload}"
            if event == "click" and payload.startswith("/"):  # the app menu: a command, as if typed
                return Incoming(CHANNEL, sender, sender, text=payload, display_name=sender), key
            return Incoming(CHANNEL, sender, sender, payload=payload, display_name=sender), key
        key = f"msg:{_field(message, 'MsgId') or sender + ':' + _field(message, 'CreateTime')}"
        if kind == "image" and _field(message, "MediaId"):  # fetched later by media/get (bot/photo_fetcher.py)
            return Incoming(CHANNEL, sender, sender, display_name=sender, photos=(_field(message, "MediaId"),)), key
        if kind != "text":
            return Incoming(CHANNEL, sender, sender, text=None, display_name=sender,
                            attachment="file" if kind == "file" else "other"), key
        return Incoming(CHANNEL, sender, sender, text=_field(message, "Content"), display_name=sender), key


class WeComChannel:
    """Takes callbacks in (into the pipeline) and sends the outbox's messages through the API and the robot."""

    name = CHANNEL

    def __init__(self, settings: Settings, pipeline: Pipeline, http_client: Any = None) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.callback = WeComCallback(settings)
        self.client = WeComClient(settings.wecom_api_base_url, settings.wecom_corp_id or "",
                                  settings.wecom_secret or "", int(settings.wecom_agent_id or 0), http_client)
        self.robot = RobotClient(settings.wecom_robot_webhook_url, http_client) \
            if settings.wecom_robot_webhook_url else None
        self.sender = WeComSender(self.client, self.robot)
        self.media = self.client  # media/get, for the photo downloader
        self.limits = send_limits()

    async def set_menu(self) -> None:
        """Put the main menu in the app's menu bar; a refusal (e.g. no menu permission) is logged, not fatal."""
        try:
            await self.client.create_menu(app_menu(app_menu_commands()))
        except (TemporaryFailure, PermanentFailure) as exc:
            log.warning("WeCom app menu not set: %s", exc)

    def routes(self) -> list[Route]:
        return [(PATH, CallbackHandler, {"channel": self})]

    async def start(self) -> None:
        await self.set_menu()

    async def stop(self) -> None:
        pass  # the HTTP server, which takes callbacks in, is stopped by the app

    async def close(self) -> None:
        await self.client.close()
        if self.robot is not None:
            await self.robot.close()


class CallbackHandler(RequestHandler):
    def initialize(self, channel: WeComChannel) -> None:
        self.channel = channel

    def _query(self) -> dict[str, str]:
        return {name: self.get_query_argument(name) for name in self.request.query_arguments}

    def _answer(self, answer: Answer) -> None:
        self.set_status(answer.status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(answer.body)

    async def get(self) -> None:
        self._answer(self.channel.callback.verify_url(self._query()))

    async def post(self) -> None:
        answer = await asyncio.to_thread(self.channel.callback.receive, self._query(), self.request.body)
        if answer.status != 200:
            log.warning("WeCom callback refused (%d): %s", answer.status, answer.body)
        if answer.incoming is not None:
            try:  # stored before WeCom hears 200; a retry of a stored one is a no-op
                await self.channel.pipeline.take(CHANNEL, [(answer.key, answer.incoming)])
            except Exception:
                log.exception("WeCom callback not stored; WeCom will send it again")
                self._answer(Answer(500, "not stored"))
                return
        self._answer(Answer(answer.status, "" if answer.status == 200 else answer.body))
