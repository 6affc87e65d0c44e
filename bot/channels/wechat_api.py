"""The WeChat Official Account's server API: customer-service messages (message/custom/send), template
messages (message/template/send), the account menu (menu/create), permanent QR codes (qrcode/create) and the
files followers send (media/get), with an access token every instance shares. Errors are translated for the
outbox: worth retrying (TemporaryFailure) or not (PermanentFailure, with a reason staff can read).

/cgi-bin/token hands out a token for 7,200 s and invalidates the previous one (after a 5-minute overlap), so
instances (and the `ipbot wechat` commands) must not each fetch their own: the token is kept in the database
(bot/channels/wechat_state.py) and renewed REFRESH_EARLY seconds before it expires, and at once when WeChat
answers 40001 / 40014 / 42001, after which the call is made again once. Two instances renewing at the same
moment both store a valid token (the last stored wins; the other stays valid for the overlap, and a 40001
after it renews again).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from bot.channels import wechat_texts as text
from bot.channels.json_api import checked, request_json
from bot.channels.wechat_state import AccountState
from bot.core.delivery import PermanentFailure, TemporaryFailure, Undeliverable
from bot.media_source import read_limited

TOKEN_INVALID = frozenset({40001, 40014, 42001})  # invalid credential; invalid token; token expired
BUSY = frozenset({-1, 45009, 45047})  # system busy; API frequency limit; too many messages to one follower
WINDOW_CLOSED = 45015  # no message from the follower in the last 48 hours
NOT_FOLLOWING = 43004  # the follower unfollowed
REFRESH_EARLY = 300.0  # seconds before the token's expiry that a new one is fetched
TIMEOUT = httpx.Timeout(10.0)


class WindowClosed(PermanentFailure):
    """45015: the follower has not written for 48 hours; customer-service messages cannot go."""


def _failure(errcode: int, errmsg: str) -> Exception:
    if errcode in BUSY:
        return TemporaryFailure(f"WeChat busy {errcode}: {errmsg}", 60.0 if errcode == 45009 else None)
    if errcode == WINDOW_CLOSED:
        return WindowClosed(text.WINDOW_CLOSED)
    if errcode == NOT_FOLLOWING:
        return Undeliverable(text.UNFOLLOWED)
    return PermanentFailure(f"WeChat error {errcode}: {errmsg}")


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    """The answer, unless WeChat's errcode says the call failed."""
    return checked(data, _failure)


async def _request(http: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """One call; the answer's JSON object (bot/channels/json_api.py)."""
    return await request_json(http, "WeChat", method, url, **kwargs)


class WeChatClient:
    """The server API of one Official Account."""

    def __init__(self, base_url: str, app_id: str, secret: str, state: AccountState,
                 http: httpx.AsyncClient | None = None, clock: Callable[[], float] = time.time) -> None:
        self.base = base_url.rstrip("/")
        self.app_id = app_id
        self.secret = secret
        self.state = state
        self.http = http or httpx.AsyncClient(timeout=TIMEOUT)
        self.clock = clock
        self._lock = asyncio.Lock()  # one renewal at a time in this process

    async def _kept(self) -> str | None:
        kept = await asyncio.to_thread(self.state.token)
        if kept is not None and self.clock() < kept[1] - REFRESH_EARLY:
            return kept[0]
        return None

    async def token(self) -> str:
        if (token := await self._kept()) is not None:
            return token
        async with self._lock:
            if (token := await self._kept()) is not None:  # renewed while this waited
                return token
            data = _checked(await _request(self.http, "GET", f"{self.base}/cgi-bin/token", params={
                "grant_type": "client_credential", "appid": self.app_id, "secret": self.secret}))
            if not data.get("access_token"):
                raise TemporaryFailure("WeChat answered /cgi-bin/token without an access_token")
            token = str(data["access_token"])
            await asyncio.to_thread(self.state.keep_token, token, self.clock() + float(data.get("expires_in", 7200)))
            return token

    async def _call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST JSON (UTF-8, not \\u-escaped: WeChat would show the escapes) with the access token; a token
        WeChat calls invalid or expired is renewed, once."""
        body = json.dumps(payload, ensure_ascii=False).encode()
        for attempt in (1, 2):
            token = await self.token()
            data = await _request(self.http, "POST", f"{self.base}{path}", params={"access_token": token},
                                  content=body, headers={"Content-Type": "application/json; charset=utf-8"})
            if int(data.get("errcode", 0) or 0) in TOKEN_INVALID and attempt == 1:
                await asyncio.to_thread(self.state.forget_token, token)
                continue
            return _checked(data)
        raise AssertionError("unreachable")

    async def send(self, openid: str, message: dict[str, Any]) -> None:
        """One customer-service message (`message` holds msgtype and its body) to one follower."""
        await self._call("/cgi-bin/message/custom/send", {"touser": openid, **message})

    async def send_template(self, payload: dict[str, Any]) -> None:
        """A template message (payload: touser, template_id, data, perhaps url)."""
        await self._call("/cgi-bin/message/template/send", payload)

    async def create_menu(self, buttons: list[dict[str, Any]]) -> None:
        """The account's menu (replacing the one there)."""
        await self._call("/cgi-bin/menu/create", {"button": buttons})

    async def create_qr(self, scene: str) -> str:
        """A permanent QR code for `scene` (QR_LIMIT_STR_SCENE); returns the URL its image encodes."""
        data = await self._call("/cgi-bin/qrcode/create", {
            "action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}})
        if not data.get("url"):
            raise PermanentFailure("WeChat answered /cgi-bin/qrcode/create without a url")
        return str(data["url"])

    async def fetch(self, media_id: str, limit: int) -> bytes:
        """A file a follower sent (media/get, kept 3 days by WeChat), at most `limit` bytes (MediaTooLarge
        beyond). WeChat answers JSON instead of the file when it refuses; a token it calls invalid is fetched
        anew, once."""
        for attempt in (1, 2):
            token = await self.token()
            try:
                async with self.http.stream("GET", f"{self.base}/cgi-bin/media/get",
                                            params={"access_token": token, "media_id": media_id}) as response:
                    if response.status_code == 429 or response.status_code >= 500:
                        raise TemporaryFailure(f"WeChat HTTP {response.status_code}")
                    kind = response.headers.get("Content-Type", "")
                    if "json" not in kind and "text/plain" not in kind:
                        return await read_limited(response.aiter_bytes(), limit)
                    data = json.loads(await response.aread() or b"{}")
            except httpx.HTTPError as exc:
                raise TemporaryFailure(f"WeChat unreachable: {exc.__class__.__name__}") from exc
            except ValueError as exc:
                raise TemporaryFailure("WeChat media/get: neither file nor JSON") from exc
            errcode = int(data.get("errcode", 0) or 0) if isinstance(data, dict) else -1
            if errcode in TOKEN_INVALID and attempt == 1:
                await asyncio.to_thread(self.state.forget_token, token)
                continue
            raise _failure(errcode, str(data.get("errmsg", "")) if isinstance(data, dict) else "")
        raise AssertionError("unreachable")

    async def close(self) -> None:
        await self.http.aclose()
