"""A Telegram Bot API double: a small HTTP server on 127.0.0.1 that speaks enough of the Bot API for
python-telegram-bot (getMe, getUpdates long polling, sendMessage, answerCallbackQuery, setMyCommands, …).

Tests play the users: `user_sends` and `user_presses` queue updates; what the bot sent is in `sent`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from email import policy as email_policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_ID = 999000
BOT_USERNAME = "ipbot_test_bot"
TOKEN = "123456:TEST-TOKEN"


@dataclass
class Sent:
    chat_id: int
    text: str
    message_id: int
    reply_markup: dict[str, Any] | None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def buttons(self) -> list[tuple[str, str]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


class TooManyRequests(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class TelegramDouble:
    def __init__(self, max_poll_seconds: float = 0.5) -> None:
        self.max_poll_seconds = max_poll_seconds
        self.sent: list[Sent] = []
        self.photos: list[tuple[int, bytes]] = []
        self.files: dict[str, bytes] = {}  # what users sent, by file_id (getFile + /file/bot<token>/…)
        self.unreachable_files = 0  # answer this many coming file downloads with 502
        self.throttle = 0  # answer this many coming sendMessage calls with 429 Too Many Requests
        self.retry_after = 1
        self.throttled = 0
        self.cap_per_second = 0  # like Telegram: more sendMessage calls than this in a second get 429
        self.inject_every = 0  # and every n-th call gets a 429 anyway
        self._recent: list[float] = []
        self._calls = 0
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.asked_at: dict[int, float] = {}  # chat -> when its user's last message was queued (benchmarks)
        self.answered_at: dict[int, float] = {}  # chat -> when the first reply after that came
        self.body_formats: list[tuple[str, str]] = []  # (method, "json" | "form" | "multipart"), as they came
        self.updates: list[dict[str, Any]] = []
        self.handed_out = 0  # the highest update_id getUpdates has given the bot
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # ---- lifecycle -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> TelegramDouble:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> TelegramDouble:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # ---- users ---------------------------------------------------------------------------------
    def user_sends(self, user_id: int, text: str, *, chat_id: int | None = None, chat_type: str = "private",
                   reply_to: Sent | None = None, name: str = "张三") -> int:
        chat_id = user_id if chat_id is None else chat_id
        message: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, **({"title": "群"} if chat_type != "private" else {})},
            "from": {"id": user_id, "is_bot": False, "first_name": name},
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        with self._lock:
            self.asked_at[chat_id] = time.monotonic()
            self.answered_at.pop(chat_id, None)
        if reply_to is not None:
            message["reply_to_message"] = {
                "message_id": reply_to.message_id, "date": int(time.time()),
                "chat": {"id": reply_to.chat_id, "type": chat_type},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "IPBot", "username": BOT_USERNAME},
                "text": reply_to.text,
            }
        return self._queue({"message": message})

    def user_presses(self, user_id: int, on: Sent, data: str, name: str = "张三") -> int:
        query = {
            "id": str(next(self._message_ids)), "chat_instance": "1",
            "from": {"id": user_id, "is_bot": False, "first_name": name},
            "message": {"message_id": on.message_id, "date": int(time.time()),
                        "chat": {"id": on.chat_id, "type": "private"}, "text": on.text},
            "data": data,
        }
        return self._queue({"callback_query": query})

    def _user_message(self, user_id: int, **content: Any) -> dict[str, Any]:
        return {"message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": user_id, "is_bot": False, "first_name": "张三"}, **content}

    def _file(self, data: bytes, size: int | None = None) -> dict[str, Any]:
        file_id = f"file-{next(self._message_ids)}"
        with self._lock:
            self.files[file_id] = data
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": size or len(data)}

    def user_sends_photo(self, user_id: int, data: bytes, caption: str | None = None,
                         size: int | None = None) -> int:
        """A photo as Telegram sends it: several sizes, the largest last (all the same bytes here)."""
        big = self._file(data, size)
        small = {**self._file(data[:100]), "width": 90, "height": 90}
        extra = {"caption": caption} if caption else {}
        return self._queue({"message": self._user_message(user_id, photo=[small, {**big, "width": 800,
                                                                            "height": 600}], **extra)})

    def user_sends_document(self, user_id: int, data: bytes, mime_type: str, name: str = "file.bin") -> int:
        document = {**self._file(data), "file_name": name, "mime_type": mime_type}
        return self._queue({"message": self._user_message(user_id, document=document)})

    def user_sends_sticker(self, user_id: int) -> int:
        sticker = {**self._file(b"RIFF0000WEBP"), "width": 512, "height": 512, "is_animated": False,
                   "is_video": False, "type": "regular"}
        return self._queue({"message": self._user_message(user_id, sticker=sticker)})

    def _queue(self, update: dict[str, Any]) -> int:
        with self._lock:
            update["update_id"] = next(self._update_ids)
            self.updates.append(update)
            self._lock.notify_all()
            return int(update["update_id"])

    # ---- what the bot did ------------------------------------------------------------------------
    def wait_for(self, count: int, chat_id: int | None = None, timeout: float = 10.0) -> list[Sent]:
        """Wait until `count` messages have been sent (to chat_id, if given) and return those."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                got = [s for s in self.sent if chat_id is None or s.chat_id == chat_id]
                if len(got) >= count:
                    return got
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    texts = [s.text[:40] for s in self.sent]
                    raise TimeoutError(f"{len(got)} of {count} messages to {chat_id}; sent so far: {texts}")
                self._lock.wait(remaining)

    def wait_handed_out(self, update_id: int, timeout: float = 30.0) -> None:
        """Wait until getUpdates has given the bot this update (and every one before it)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.handed_out < update_id:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"update {update_id} not taken by the bot (up to {self.handed_out})")
                self._lock.wait(remaining)

    def called(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    def wait_called(self, method: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until the bot has called `method` `count` times (a reply and its call may come in any order)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(found := self.called(method)) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{method} called {len(found)} of {count} times")
                self._lock.wait(remaining)
            return found

    # ---- the API ---------------------------------------------------------------------------------
    def _api(self, method: str, params: dict[str, Any]) -> Any:
        with self._lock:
            self.calls.append((method, params))
            self._lock.notify_all()
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "IPBot", "username": BOT_USERNAME,
                    "can_join_groups": True, "can_read_all_group_messages": False,
                    "supports_inline_queries": False}
        if method == "getUpdates":
            return self._get_updates(params)
        if method == "sendMessage":
            return self._send_message(params)
        if method == "getFile":
            file_id = str(params.get("file_id"))
            with self._lock:
                data = self.files.get(file_id)
            if data is None:
                raise ValueError("Bad Request: invalid file_id")
            return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data),
                    "file_path": f"photos/{file_id}.jpg"}
        if method == "sendPhoto":
            photo = params.get("photo", b"")
            with self._lock:
                self.photos.append((int(params["chat_id"]), photo if isinstance(photo, bytes) else b""))
                self._lock.notify_all()
            return {"message_id": next(self._message_ids), "date": int(time.time()),
                    "chat": {"id": int(params["chat_id"]), "type": "private"},
                    "photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 10, "height": 10}]}
        if method in ("deleteWebhook", "setWebhook", "setMyCommands", "answerCallbackQuery", "setChatMenuButton",
                      "editMessageReplyMarkup", "close", "logOut"):
            return True
        raise KeyError(method)

    def _control(self, action: str, body: str) -> dict[str, Any]:
        """For a double in another process (benchmarks): queue user messages, count what was sent."""
        if action == "messages":
            for item in json.loads(body):
                self.user_sends(int(item["user_id"]), str(item["text"]))
        elif action == "wait":
            wanted = json.loads(body)
            self.wait_for(int(wanted["count"]), None, float(wanted.get("timeout", 600)))
        elif action == "limits":
            wanted = json.loads(body)
            with self._lock:
                self.cap_per_second = int(wanted.get("cap", 0))
                self.inject_every = int(wanted.get("inject_every", 0))
        elif action == "latencies":  # seconds from each chat's last message to its first reply
            with self._lock:
                return {"latencies": [self.answered_at[c] - t for c, t in self.asked_at.items()  # type: ignore[dict-item]
                                      if c in self.answered_at]}
        elif action == "reset":
            with self._lock:
                self.asked_at.clear()
                self.answered_at.clear()
                self.sent.clear()
                self.calls.clear()
                self.body_formats.clear()
        with self._lock:
            distinct = len({(m.chat_id, m.text) for m in self.sent})
            return {"sent": len(self.sent), "distinct": distinct, "throttled": self.throttled,
                    "pending": len(self.updates)}

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), self.max_poll_seconds)
        deadline = time.monotonic() + wait
        with self._lock:
            while True:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates:
                    given = self.updates[:int(params.get("limit") or 100)]
                    self.handed_out = max(self.handed_out, given[-1]["update_id"])
                    self._lock.notify_all()
                    return given
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._lock.wait(remaining)

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._calls += 1
            now = time.monotonic()
            self._recent = [t for t in self._recent if now - t < 1.0]
            over_cap = bool(self.cap_per_second) and len(self._recent) >= self.cap_per_second
            injected = bool(self.inject_every) and self._calls % self.inject_every == 0
            if self.throttle > 0 or over_cap or injected:
                self.throttle = max(0, self.throttle - 1)
                self.throttled += 1
                raise TooManyRequests(self.retry_after)
            self._recent.append(now)
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        chat_id = int(params["chat_id"])
        text = str(params["text"])
        if len(text) > 4096:
            raise ValueError("Bad Request: message is too long")
        with self._lock:
            sent = Sent(chat_id, text, next(self._message_ids), markup, params)
            self.sent.append(sent)
            self.answered_at.setdefault(chat_id, time.monotonic())
            self._lock.notify_all()
        message: dict[str, Any] = {"message_id": sent.message_id, "date": int(time.time()),
                                   "chat": {"id": chat_id, "type": "private"},
                                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "IPBot",
                                            "username": BOT_USERNAME},
                                   "text": text}
        if markup:
            message["reply_markup"] = markup  # Telegram returns the sent message whole, keyboard included
        return message

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stalls

            def log_message(self, *_args: object) -> None:
                pass

            def do_POST(self) -> None:
                self._serve()

            def do_GET(self) -> None:
                self._serve()

            def _serve(self) -> None:
                path = self.path.split("?")[0]
                prefix = f"/bot{TOKEN}/"
                if path.startswith(f"/file/bot{TOKEN}/photos/"):
                    self._file(path.rsplit("/", 1)[-1].removesuffix(".jpg"))
                    return
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                content_type = self.headers.get("Content-Type", "")
                if path.startswith(prefix):
                    body_format = "multipart" if content_type.startswith("multipart/form-data") else \
                        "json" if "json" in content_type else "form"
                    with double._lock:
                        double.body_formats.append((path[len(prefix):], body_format))
                if content_type.startswith("multipart/form-data"):
                    params = _multipart(content_type, raw)
                    result = double._api(path[len(f"/bot{TOKEN}/"):], params)
                    self._reply(200, {"ok": True, "result": result})
                    return
                body = raw.decode("utf-8")
                if path.startswith("/_control/"):
                    self._reply(200, double._control(path[len("/_control/"):], body))
                    return
                if not path.startswith(prefix):
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                content_type = self.headers.get("Content-Type", "")
                params: dict[str, Any] = json.loads(body) if "json" in content_type and body else dict(
                    parse_qsl(body, keep_blank_values=True))
                try:
                    result = double._api(path[len(prefix):], params)
                except KeyError:
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found: method"})
                    return
                except ValueError as exc:
                    self._reply(400, {"ok": False, "error_code": 400, "description": str(exc)})
                    return
                except TooManyRequests as exc:
                    self._reply(429, {"ok": False, "error_code": 429,
                                      "description": f"Too Many Requests: retry after {exc.retry_after}",
                                      "parameters": {"retry_after": exc.retry_after}})
                    return
                self._reply(200, {"ok": True, "result": result})

            def _file(self, file_id: str) -> None:
                with double._lock:
                    data = double.files.get(file_id)
                    failing = double.unreachable_files > 0
                    double.unreachable_files = max(0, double.unreachable_files - 1)
                status = 502 if failing else 200 if data is not None else 404
                body = data if status == 200 and data is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)  # fails only when the bot stopped during a long poll

        return Handler


def _multipart(content_type: str, raw: bytes) -> dict[str, Any]:
    """Form fields of a multipart body (how python-telegram-bot uploads files): text as str, files as bytes."""
    message = BytesParser(policy=email_policy.default).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        fields[str(name)] = payload if part.get_filename() else payload.decode("utf-8")
    return fields


def main() -> None:
    """Serve the double until killed, printing its base URL (benchmarks run it in another process)."""
    double = TelegramDouble().start()
    print(double.base_url, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
