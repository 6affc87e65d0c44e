"""A WeCom API double on 127.0.0.1: gettoken, media/upload, message/send and a group robot's webhook/send, with WeCom's
rules (tokens that expire, 2,048-byte texts, six buttons a card, 30 messages a minute to one member — more
are silently dropped, as WeCom does — and 20 a minute per robot). It also plays WeCom's side of the
callback: `WeComServer.post` encrypts and signs a message and posts it to the bot's /wecom/callback.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email import policy as email_policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.channels.wecom_crypto import WeComCrypto, signature
from tests.doubles.callback import Answer, CallbackPoster

CORP_ID = "wx5823bf96d3bd56c7"
SECRET = "app-secret"
AGENT_ID = 1000002
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
ROBOT_KEY = "robot-key"


@dataclass
class AppMessage:
    touser: str
    msgtype: str
    body: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.body.get("content", "")) if self.msgtype == "text" else ""

    @property
    def buttons(self) -> list[tuple[str, str]]:
        if self.msgtype != "template_card":
            return []
        return [(b["text"], b["key"]) for b in self.body.get("button_list", [])]


class WeComDouble:
    def __init__(self) -> None:
        self.messages: list[AppMessage] = []
        self.dropped: list[AppMessage] = []  # over WeCom's per-member limit: accepted, never delivered
        self.robot: list[dict[str, Any]] = []
        self.token_fetches = 0
        self.rejected: list[str] = []  # why calls were refused (bad token, too long, …)
        self.media: dict[str, bytes] = {}  # uploaded pictures by media_id
        self.received_media: dict[str, bytes] = {}  # what members sent (media/get), by MediaId
        self.media_fetches = 0
        self.menu: list[dict[str, Any]] = []  # the app's menu, as last created
        self._token: str | None = None
        self._tokens = itertools.count(1)
        self._per_member: dict[str, list[float]] = {}
        self._robot_times: list[float] = []
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def robot_url(self) -> str:
        return f"{self.base_url}/cgi-bin/webhook/send?key={ROBOT_KEY}"

    def __enter__(self) -> WeComDouble:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def expire_token(self) -> None:
        """The next call with the current token gets 42001 (access_token expired)."""
        with self._lock:
            self._token = None

    def wait_for(self, count: int, touser: str | None = None, timeout: float = 15.0) -> list[AppMessage]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                got = [m for m in self.messages if touser is None or m.touser == touser]
                if len(got) >= count:
                    return got
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(m.touser, m.msgtype, m.text[:30]) for m in self.messages]
                    raise TimeoutError(f"{len(got)} of {count} messages to {touser}; sent: {seen}")
                self._lock.wait(remaining)

    def wait_for_text(self, touser: str, fragment: str, timeout: float = 15.0) -> AppMessage:
        """The first message to `touser` whose text (or card text) contains `fragment`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for message in self.messages:
                    shown = message.text or str(message.body.get("sub_title_text", ""))
                    if message.touser == touser and fragment in shown:
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(m.touser, m.msgtype, m.text[:30]) for m in self.messages]
                    raise TimeoutError(f"nothing with {fragment!r} to {touser}; sent: {seen}")
                self._lock.wait(remaining)

    def wait_for_robot(self, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.robot) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self.robot)} of {count} robot messages")
                self._lock.wait(remaining)
            return list(self.robot)

    # ---- the API ---------------------------------------------------------------------------------
    def _gettoken(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("corpid") != CORP_ID or query.get("corpsecret") != SECRET:
            return {"errcode": 40001, "errmsg": "invalid credential"}
        with self._lock:
            self.token_fetches += 1
            self._token = f"token-{next(self._tokens)}"
            return {"errcode": 0, "errmsg": "ok", "access_token": self._token, "expires_in": 7200}

    def _token_refused(self, query: dict[str, str]) -> dict[str, Any] | None:
        """42001 for a token that expired, 40014 for one never issued; None for the current token."""
        token = query.get("access_token")
        with self._lock:
            current = self._token
        if token == current:
            return None
        return self._refuse(42001 if token and token.startswith("token-") else 40014, "access_token expired")

    def _refuse(self, errcode: int, why: str) -> dict[str, Any]:
        with self._lock:
            self.rejected.append(why)
        return {"errcode": errcode, "errmsg": why}

    def _send(self, query: dict[str, str], payload: dict[str, Any]) -> dict[str, Any]:
        if (refused := self._token_refused(query)) is not None:
            return refused
        msgtype = str(payload.get("msgtype", ""))
        body = payload.get(msgtype)
        if payload.get("agentid") != AGENT_ID or not isinstance(body, dict) or not payload.get("touser"):
            return self._refuse(40008, "invalid message")
        if msgtype in ("text", "markdown") and len(str(body.get("content", "")).encode()) > 2048:
            return self._refuse(44004, "content over 2048 bytes")
        if msgtype == "template_card" and not 1 <= len(body.get("button_list", [])) <= 6:
            return self._refuse(40058, "button_list must hold 1 to 6 buttons")
        if msgtype == "image" and body.get("media_id") not in self.media:
            return self._refuse(40007, "invalid media_id")
        message = AppMessage(str(payload["touser"]), msgtype, body)
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._per_member.get(message.touser, []) if now - t < 60]
            self._per_member[message.touser] = [*recent, now]
            (self.dropped if len(recent) >= 30 else self.messages).append(message)
            self._lock.notify_all()
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"m{len(self.messages)}"}

    def _menu(self, query: dict[str, str], payload: dict[str, Any]) -> dict[str, Any]:
        if (refused := self._token_refused(query)) is not None:
            return refused
        buttons = payload.get("button", [])
        if query.get("agentid") != str(AGENT_ID) or not 1 <= len(buttons) <= 3 or any(
                len(b.get("sub_button", [])) > 5 for b in buttons):
            return self._refuse(40054, "invalid menu")
        with self._lock:
            self.menu = buttons
        return {"errcode": 0, "errmsg": "ok"}

    def _upload(self, query: dict[str, str], content_type: str, raw: bytes) -> dict[str, Any]:
        if (refused := self._token_refused(query)) is not None:
            return refused
        message = BytesParser(policy=email_policy.default).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
        files = [part for part in message.iter_parts() if part.get_param("name", header="content-disposition")
                 == "media"] if message.is_multipart() else []
        if query.get("type") != "image" or not files:
            return self._refuse(40004, "invalid media")
        data = files[0].get_payload(decode=True) or b""
        with self._lock:
            media_id = f"media-{len(self.media) + 1}"
            self.media[media_id] = data
        return {"errcode": 0, "errmsg": "ok", "type": "image", "media_id": media_id, "created_at": "0"}

    def _robot(self, query: dict[str, str], payload: dict[str, Any]) -> dict[str, Any]:
        if query.get("key") != ROBOT_KEY:
            return self._refuse(93000, "invalid webhook url")
        if payload.get("msgtype") == "image":
            image = payload.get("image", {})
            data = base64.b64decode(image.get("base64", ""))
            if hashlib.md5(data).hexdigest() != image.get("md5"):
                return self._refuse(301019, "image md5 does not match")
        now = time.monotonic()
        with self._lock:
            self._robot_times = [t for t in self._robot_times if now - t < 60]
            if len(self._robot_times) >= 20:
                self.rejected.append("robot over 20 a minute")
                return {"errcode": 45009, "errmsg": "api freq out of limit"}
            self._robot_times.append(now)
            self.robot.append(payload)
            self._lock.notify_all()
        return {"errcode": 0, "errmsg": "ok"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                if path == "/cgi-bin/gettoken":
                    self._reply(double._gettoken(dict(urllib.parse.parse_qsl(query))))
                elif path == "/cgi-bin/media/get":
                    self._media(dict(urllib.parse.parse_qsl(query)))
                else:
                    self._reply({"errcode": 404, "errmsg": "not found"}, 404)

            def do_POST(self) -> None:
                path, _, query = self.path.partition("?")
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                params = dict(urllib.parse.parse_qsl(query))
                if path == "/cgi-bin/media/upload":
                    self._reply(double._upload(params, self.headers.get("Content-Type", ""), raw))
                    return
                payload = json.loads(raw or b"{}")
                if path == "/cgi-bin/message/send":
                    self._reply(double._send(params, payload))
                elif path == "/cgi-bin/menu/create":
                    self._reply(double._menu(params, payload))
                elif path == "/cgi-bin/webhook/send":
                    self._reply(double._robot(params, payload))
                else:
                    self._reply({"errcode": 404, "errmsg": "not found"}, 404)

            def _media(self, query: dict[str, str]) -> None:
                """media/get: the file itself, or (like WeCom) a JSON error with status 200."""
                if (refused := double._token_refused(query)) is not None:
                    self._reply(refused)
                    return
                with double._lock:
                    double.media_fetches += 1
                    data = double.received_media.get(query.get("media_id", ""))
                if data is None:
                    self._reply({"errcode": 40007, "errmsg": "invalid media_id"})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-disposition", 'attachment; filename="photo.jpg"')
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def _reply(self, payload: dict[str, Any], status: int = 200) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

        return Handler


class WeComServer(CallbackPoster):
    """WeCom's side of the callback: builds, encrypts, signs and posts messages to the bot."""

    def __init__(self, callback_url: str, corp_id: str = CORP_ID) -> None:
        super().__init__(callback_url)
        self.crypto = WeComCrypto(TOKEN, AES_KEY, corp_id)
        self._ids = itertools.count(int(time.time() * 1000))

    def text_xml(self, user: str, content: str, msg_id: int | None = None) -> str:
        return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id or next(self._ids)}</MsgId>"
                f"<AgentID>{AGENT_ID}</AgentID></xml>")

    def menu_xml(self, user: str, key: str) -> str:
        return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                f"<Event><![CDATA[click]]></Event><EventKey><![CDATA[{key}]]></EventKey>"
                f"<AgentID>{AGENT_ID}</AgentID></xml>")

    def image_xml(self, user: str, media_id: str, msg_id: int | None = None) -> str:
        return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
                f"<PicUrl><![CDATA[https://wework.qpic.cn/{media_id}]]></PicUrl><MediaId><![CDATA[{media_id}]]></MediaId>"
                f"<MsgId>{msg_id or next(self._ids)}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>")

    def click_xml(self, user: str, key: str, task_id: str = "task") -> str:
        return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                f"<Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[{key}]]></EventKey>"
                f"<TaskId><![CDATA[{task_id}-{next(self._ids)}]]></TaskId><CardType><![CDATA[button_interaction]]>"
                f"</CardType><ResponseCode><![CDATA[code]]></ResponseCode><AgentID>{AGENT_ID}</AgentID></xml>")

    def envelope(self, inner: str, timestamp: int | None = None, nonce: str = "1372623149",
                 tamper: bool = False) -> tuple[dict[str, str], bytes]:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        encrypted = self.crypto.encrypt(inner)
        if tamper:  # flip one byte of the ciphertext, then sign what is sent (a signature alone would not do)
            raw = bytearray(base64.b64decode(encrypted))
            raw[20] ^= 0x01
            encrypted = base64.b64encode(bytes(raw)).decode()
        query = {"msg_signature": signature(TOKEN, stamp, nonce, encrypted), "timestamp": stamp, "nonce": nonce}
        body = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
                f"<AgentID><![CDATA[{AGENT_ID}]]></AgentID></xml>")
        return query, body.encode()

    def says(self, user: str, content: str, msg_id: int | None = None) -> Answer:
        return self.post(*self.envelope(self.text_xml(user, content, msg_id)))

    def sends_image(self, user: str, media_id: str) -> Answer:
        return self.post(*self.envelope(self.image_xml(user, media_id)))

    def clicks(self, user: str, key: str) -> Answer:
        return self.post(*self.envelope(self.click_xml(user, key)))
