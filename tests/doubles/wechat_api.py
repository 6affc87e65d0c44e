"""A WeChat Official Account API double on 127.0.0.1: /cgi-bin/token, /cgi-bin/message/custom/send,
/cgi-bin/message/template/send, /cgi-bin/menu/create, /cgi-bin/qrcode/create and /cgi-bin/media/get, with
WeChat's rules (a new token invalidates the previous one, 40001 for a token not current, 2,048-byte texts,
msgmenu with a list, JSON that must not be \\u-escaped, 45015 outside the 48-hour window, 43004 for a follower
who left, 45047 when told to be busy, 40037 for a template id the account does not have, 47003 for a template
value over its field's limit, at most 3 menu buttons of at most 5, 40007 for an unknown media id).
`hold_custom` makes customer-service sends wait (the crash test kills the bot while one does). It also plays
WeChat's side of the callback: `WeChatServer` builds messages, encrypts and signs them with wechatpy (an
implementation independent of the bot's) and posts them to the bot's /wechat/callback.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from wechatpy.crypto import WeChatCrypto

from tests.doubles.callback import Answer, CallbackPoster

APP_ID = "wx1234567890abcdef"
APP_SECRET = "account-secret"
TOKEN = "wechat-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_0123456789ab"  # the account's original id: ToUserName of every callback


@dataclass
class Sent:
    touser: str
    msgtype: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when it arrived

    @property
    def text(self) -> str:
        if self.msgtype == "text":
            return str(self.body.get("content", ""))
        if self.msgtype == "template":  # its values, one a line
            return "\n".join(str(v.get("value", "")) for v in self.body.get("data", {}).values())
        return str(self.body.get("head_content", "")) if self.msgtype == "msgmenu" else ""

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, id) of a msgmenu's items."""
        return [(item["content"], item["id"]) for item in self.body.get("list", [])] if self.msgtype == "msgmenu" \
            else []


class WeChatDouble:
    def __init__(self) -> None:
        self.messages: list[Sent] = []
        self.token_fetches = 0
        self.rejected: list[str] = []
        self.window_closed: set[str] = set()  # followers silent for 48 hours: 45015
        self.left: set[str] = set()  # followers who unfollowed: 43004
        self.busy = 0  # the next this many sends answer 45047
        self.templates: set[str] = set()  # the account's template ids
        self.menus: list[list[dict[str, Any]]] = []  # every menu created
        self.qr_scenes: list[str] = []  # scenes of the QR codes created
        self.media: dict[str, bytes] = {}  # media_id → a file a follower sent
        self.hold_custom = threading.Event()  # set: customer-service sends wait until it is cleared
        self.custom_calls = 0  # customer-service sends received (held ones included)
        self._generation = 0  # drop_held() ends the held calls of this generation
        self._token: str | None = None
        self._tokens = itertools.count(1)
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> WeChatDouble:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def drop_held(self) -> None:
        """The held customer-service sends end undelivered (their caller was killed); later ones go through."""
        with self._lock:
            self._generation += 1
        self.hold_custom.clear()

    def wait_for_calls(self, count: int, timeout: float = 15.0) -> None:
        """Until `count` customer-service sends were received (held or not)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.custom_calls < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{self.custom_calls} of {count} customer-service sends")
                self._lock.wait(remaining)

    def expire_token(self) -> None:
        """The current token stops working (as when another fetch replaced it): the next call gets 40001."""
        with self._lock:
            self._token = None

    def wait_for(self, count: int, touser: str, timeout: float = 15.0) -> list[Sent]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                got = [m for m in self.messages if m.touser == touser]
                if len(got) >= count:
                    return got
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(m.touser, m.msgtype, m.text[:30]) for m in self.messages]
                    raise TimeoutError(f"{len(got)} of {count} messages to {touser}; sent: {seen}")
                self._lock.wait(remaining)

    def wait_for_text(self, touser: str, fragment: str, timeout: float = 15.0) -> Sent:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for message in self.messages:
                    if message.touser == touser and fragment in message.text:
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(m.touser, m.msgtype, m.text[:30]) for m in self.messages]
                    raise TimeoutError(f"nothing with {fragment!r} to {touser}; sent: {seen}")
                self._lock.wait(remaining)

    # ---- the API ---------------------------------------------------------------------------------
    def _refuse(self, errcode: int, why: str) -> dict[str, Any]:
        with self._lock:
            self.rejected.append(why)
        return {"errcode": errcode, "errmsg": why}

    def _get_token(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("grant_type") != "client_credential" or query.get("appid") != APP_ID \
                or query.get("secret") != APP_SECRET:
            return self._refuse(40013, "invalid appid or secret")
        with self._lock:
            self.token_fetches += 1
            self._token = f"wx-token-{next(self._tokens)}"  # the previous one stops working
            return {"access_token": self._token, "expires_in": 7200}

    def _authorised(self, query: dict[str, str], raw: bytes) -> dict[str, Any] | None:
        """None when the call may go on; WeChat's refusal otherwise."""
        with self._lock:
            current = self._token
        if query.get("access_token") != current or current is None:
            return self._refuse(40001, "invalid credential, access_token is invalid or not latest")
        if b"\\u" in raw:
            return self._refuse(40033, "\\u-escaped characters would be shown as they are")
        return None

    def _send(self, query: dict[str, str], raw: bytes) -> dict[str, Any]:
        with self._lock:
            self.custom_calls += 1
            generation = self._generation
            self._lock.notify_all()
        while self.hold_custom.is_set():
            time.sleep(0.01)
        if generation != self._generation:  # its caller is gone (killed): it was never delivered
            return {"errcode": -1, "errmsg": "system error"}
        if (refused := self._authorised(query, raw)) is not None:
            return refused
        payload = json.loads(raw)
        touser, msgtype = str(payload.get("touser", "")), str(payload.get("msgtype", ""))
        body = payload.get(msgtype)
        if not touser or not isinstance(body, dict):
            return self._refuse(40008, "invalid message type")
        if msgtype == "text" and len(str(body.get("content", "")).encode()) > 2048:
            return self._refuse(45002, "content size out of limit")
        if msgtype == "msgmenu" and not body.get("list"):
            return self._refuse(40008, "msgmenu without a list")
        with self._lock:
            if self.busy > 0:
                self.busy -= 1
                return {"errcode": 45047, "errmsg": "out of response count limit"}
        if touser in self.left:
            return self._refuse(43004, "require subscribe")
        if touser in self.window_closed:
            return self._refuse(45015, "response out of time limit or subscription is canceled")
        with self._lock:
            self.messages.append(Sent(touser, msgtype, body))
            self._lock.notify_all()
        return {"errcode": 0, "errmsg": "ok"}

    def _template(self, query: dict[str, str], raw: bytes) -> dict[str, Any]:
        if (refused := self._authorised(query, raw)) is not None:
            return refused
        payload = json.loads(raw)
        touser, data = str(payload.get("touser", "")), payload.get("data")
        if payload.get("template_id") not in self.templates:
            return self._refuse(40037, "invalid template_id")
        if not touser or not isinstance(data, dict) or not data:
            return self._refuse(47001, "data format error")
        for name, value in data.items():
            if name.startswith("thing") and len(str(value.get("value", ""))) > 20:
                return self._refuse(47003, f"argument invalid! data.{name}.value invalid")
        if touser in self.left:
            return self._refuse(43004, "require subscribe")
        with self._lock:
            self.messages.append(Sent(touser, "template", payload))
            self._lock.notify_all()
        return {"errcode": 0, "errmsg": "ok", "msgid": len(self.messages)}

    def _menu(self, query: dict[str, str], raw: bytes) -> dict[str, Any]:
        if (refused := self._authorised(query, raw)) is not None:
            return refused
        buttons = json.loads(raw).get("button")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            return self._refuse(40017, "invalid button size")
        for button in buttons:
            subs = button.get("sub_button")
            if subs is not None and not 1 <= len(subs) <= 5:
                return self._refuse(40018, "invalid sub button size")
            for item in subs or [button]:
                if item.get("type") == "click" and not item.get("key"):
                    return self._refuse(40019, "invalid button key size")
                if len(item.get("name", "").encode()) > (60 if subs else 16):
                    return self._refuse(40018, "invalid button name size")
        with self._lock:
            self.menus.append(buttons)
        return {"errcode": 0, "errmsg": "ok"}

    def _qrcode(self, query: dict[str, str], raw: bytes) -> dict[str, Any]:
        if (refused := self._authorised(query, raw)) is not None:
            return refused
        payload = json.loads(raw)
        scene = payload.get("action_info", {}).get("scene", {}).get("scene_str", "")
        if payload.get("action_name") != "QR_LIMIT_STR_SCENE" or not 1 <= len(scene) <= 64:
            return self._refuse(40053, "invalid action info")
        with self._lock:
            self.qr_scenes.append(scene)
        return {"ticket": f"ticket-{scene}", "url": f"http://weixin.qq.com/q/{scene}-code"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def _reply(self, data: dict[str, Any], raw: bytes | None = None) -> None:
                kind = "image/jpeg" if raw is not None else "application/json"
                raw = raw if raw is not None else json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _query(self) -> tuple[str, dict[str, str]]:
                parsed = urllib.parse.urlsplit(self.path)
                return parsed.path, dict(urllib.parse.parse_qsl(parsed.query))

            def do_GET(self) -> None:
                path, query = self._query()
                if path == "/cgi-bin/media/get":
                    if (refused := double._authorised(query, b"")) is not None:
                        self._reply(refused)
                    elif query.get("media_id") in double.media:
                        self._reply({}, double.media[query["media_id"]])
                    else:
                        self._reply(double._refuse(40007, "invalid media_id"))
                    return
                self._reply(double._get_token(query) if path == "/cgi-bin/token" else {"errcode": 404})

            def do_POST(self) -> None:
                path, query = self._query()
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                routes = {"/cgi-bin/message/custom/send": double._send, "/cgi-bin/message/template/send":
                          double._template, "/cgi-bin/menu/create": double._menu,
                          "/cgi-bin/qrcode/create": double._qrcode}
                if path in routes:
                    self._reply(routes[path](query, raw))
                else:
                    self._reply({"errcode": 404, "errmsg": "unknown path"})

        return Handler


def _signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class WeChatServer(CallbackPoster):
    """WeChat's side of the callback: messages as the platform posts them, to the bot's /wechat/callback."""

    def __init__(self, url: str, app_id: str = APP_ID, safe: bool = True) -> None:
        super().__init__(url)
        self.app_id = app_id
        self.safe = safe
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, app_id)
        self._ids = itertools.count(int(time.time() * 1000))

    def _head(self, user: str, kind: str, created: int | None = None) -> str:
        return (f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
                f"<CreateTime>{created or int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>")

    def text_xml(self, user: str, content: str, msg_id: int | None = None) -> str:
        return (f"<xml>{self._head(user, 'text')}<Content><![CDATA[{content}]]></Content>"
                f"<MsgId>{msg_id or next(self._ids)}</MsgId></xml>")

    def menu_click_xml(self, user: str, label: str, payload: str) -> str:
        """What WeChat posts when a msgmenu item is pressed: a text (the label) carrying bizmsgmenuid."""
        return (f"<xml>{self._head(user, 'text')}<Content><![CDATA[{label}]]></Content>"
                f"<MsgId>{next(self._ids)}</MsgId><bizmsgmenuid>{payload}</bizmsgmenuid></xml>")

    def voice_xml(self, user: str, recognition: str) -> str:
        return (f"<xml>{self._head(user, 'voice')}<MediaId><![CDATA[voice-media-1]]></MediaId>"
                f"<Format><![CDATA[amr]]></Format><Recognition><![CDATA[{recognition}]]></Recognition>"
                f"<MsgId>{next(self._ids)}</MsgId></xml>")

    def image_xml(self, user: str, media_id: str) -> str:
        return (f"<xml>{self._head(user, 'image')}<PicUrl><![CDATA[http://mmbiz.qpic.cn/{media_id}]]></PicUrl>"
                f"<MediaId><![CDATA[{media_id}]]></MediaId><MsgId>{next(self._ids)}</MsgId></xml>")

    def event_xml(self, user: str, event: str, key: str = "", created: int | None = None) -> str:
        return (f"<xml>{self._head(user, 'event', created)}<Event><![CDATA[{event}]]></Event>"
                f"<EventKey><![CDATA[{key}]]></EventKey></xml>")

    def envelope(self, inner: str, timestamp: int | None = None, nonce: str = "1372623149",
                 tamper: bool = False) -> tuple[dict[str, str], bytes]:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        query = {"signature": _signature(TOKEN, stamp, nonce), "timestamp": stamp, "nonce": nonce,
                 "openid": "o-unused"}
        if not self.safe:
            return query, inner.encode()
        sealed = self.crypto.encrypt_message(inner, nonce, stamp)
        encrypted = sealed.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
        if tamper:  # flip one byte of the ciphertext, then sign what is sent (a signature alone would not do)
            raw = bytearray(base64.b64decode(encrypted))
            raw[20] ^= 0x01
            encrypted = base64.b64encode(bytes(raw)).decode()
        query.update(encrypt_type="aes", msg_signature=_signature(TOKEN, stamp, nonce, encrypted))
        body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        return query, body.encode()

    def says(self, user: str, content: str, msg_id: int | None = None) -> Answer:
        return self.post(*self.envelope(self.text_xml(user, content, msg_id)))

    def speaks(self, user: str, recognition: str) -> Answer:
        return self.post(*self.envelope(self.voice_xml(user, recognition)))

    def presses(self, user: str, label: str, payload: str) -> Answer:
        return self.post(*self.envelope(self.menu_click_xml(user, label, payload)))

    def sends_image(self, user: str, media_id: str) -> Answer:
        return self.post(*self.envelope(self.image_xml(user, media_id)))

    def event(self, user: str, event: str, key: str = "") -> Answer:
        return self.post(*self.envelope(self.event_xml(user, event, key)))
