"""WeCom's server API for sending: the self-built app's message/send with a cached access token, and the
group robot's webhook. Errors are translated for the outbox: worth retrying (TemporaryFailure) or not
(PermanentFailure).

gettoken's token lives 7,200 s and must be cached (WeCom limits gettoken calls); it is refreshed early,
and at once when WeCom answers 40014 (invalid) or 42001 (expired), after which the call is made again once.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from bot.channels.json_api import checked, request_json
from bot.core.delivery import PermanentFailure, TemporaryFailure
from bot.media_source import read_limited

TOKEN_INVALID = frozenset({40014, 42001})
BUSY = frozenset({-1, 45009, 45033})  # system busy; frequency limit; too many concurrent calls
REFRESH_EARLY = 300.0  # seconds before WeCom's expiry that a new token is fetched
TIMEOUT = httpx.Timeout(10.0)


def _failure(errcode: int, errmsg: str) -> Exception:
    message = f"WeCom error {errcode}: {errmsg}"
    return TemporaryFailure(message, 60.0 if errcode == 45009 else None) if errcode in BUSY \
        else PermanentFailure(message)


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    """The answer, unless WeCom's errcode says the call failed."""
    return checked(data, _failure)


async def _request(http: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """One call; the answer's JSON object (bot/channels/json_api.py)."""
    return await request_json(http, "WeCom", method, url, **kwargs)


class WeComClient:
    """message/send for one self-built app."""

    def __init__(self, base_url: str, corp_id: str, secret: str, agent_id: int,
                 http: httpx.AsyncClient | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.base = base_url.rstrip("/")
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.http = http or httpx.AsyncClient(timeout=TIMEOUT)
        self.clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or self.clock() >= self._expires:
                data = _checked(await _request(self.http, "GET", f"{self.base}/cgi-bin/gettoken",
                                               params={"corpid": self.corp_id, "corpsecret": self.secret}))
                if not data.get("access_token"):
                    raise PermanentFailure("WeCom answered gettoken without an access_token")
                self._token = str(data["access_token"])
                lifetime = float(data.get("expires_in", 7200))
                self._expires = self.clock() + max(lifetime - REFRESH_EARLY, lifetime / 2)
            return self._token

    async def _forget(self, token: str) -> None:
        async with self._lock:
            if self._token == token:
                self._token = None

    async def _call(self, path: str, params: dict[str, str], **body: Any) -> dict[str, Any]:
        """POST with the access token; a token WeCom calls invalid or expired is fetched anew, once."""
        for attempt in (1, 2):
            token = await self.token()
            data = await _request(self.http, "POST", f"{self.base}{path}",
                                  params={**params, "access_token": token}, **body)
            if int(data.get("errcode", 0)) in TOKEN_INVALID and attempt == 1:
                await self._forget(token)
                continue
            return _checked(data)
        raise AssertionError("unreachable")

    async def send(self, touser: str, message: dict[str, Any]) -> dict[str, Any]:
        """One message to one member (`message` holds msgtype and its body)."""
        data = await self._call("/cgi-bin/message/send", {},
                                json={"touser": touser, "agentid": self.agent_id, **message})
        if data.get("invaliduser"):
            raise PermanentFailure(f"not a member of this app: {data['invaliduser']}")
        return data

    async def create_menu(self, buttons: list[dict[str, Any]]) -> None:
        """The app's menu at the bottom of its chat (at most 3 buttons, each with up to 5 below it)."""
        await self._call("/cgi-bin/menu/create", {"agentid": str(self.agent_id)}, json={"button": buttons})

    async def upload_image(self, data: bytes, file_name: str) -> str:
        """A temporary media upload (kept 3 days by WeCom); returns its media_id."""
        result = await self._call("/cgi-bin/media/upload", {"type": "image"},
                                  files={"media": (file_name, data, "image/png")})
        if not result.get("media_id"):
            raise TemporaryFailure("WeCom returned no media_id")
        return str(result["media_id"])

    async def fetch(self, media_id: str, limit: int) -> bytes:
        """A file a member sent (media/get), at most `limit` bytes (MediaTooLarge beyond); WeCom answers
        JSON instead of the file when it refuses, and a token it calls invalid is fetched anew, once."""
        for attempt in (1, 2):
            token = await self.token()
            try:
                async with self.http.stream("GET", f"{self.base}/cgi-bin/media/get",
                                            params={"access_token": token, "media_id": media_id}) as response:
                    if response.status_code == 429 or response.status_code >= 500:
                        raise TemporaryFailure(f"WeCom HTTP {response.status_code}")
                    if "json" not in response.headers.get("Content-Type", "") and \
                            "text/plain" not in response.headers.get("Content-Type", ""):
                        return await read_limited(response.aiter_bytes(), limit)
                    data = json.loads(await response.aread() or b"{}")
            except httpx.HTTPError as exc:
                raise TemporaryFailure(f"WeCom unreachable: {exc.__class__.__name__}") from exc
            except ValueError as exc:
                raise TemporaryFailure("WeCom media/get: neither file nor JSON") from exc
            errcode = int(data.get("errcode", 0)) if isinstance(data, dict) else -1
            if errcode in TOKEN_INVALID and attempt == 1:
                await self._forget(token)
                continue
            raise _failure(errcode, str(data.get("errmsg", "")) if isinstance(data, dict) else "")
        raise AssertionError("unreachable")

    async def close(self) -> None:
        await self.http.aclose()


class RobotClient:
    """A group robot (群机器人) webhook: text and markdown into one group, at most 20 messages a minute."""

    def __init__(self, webhook_url: str, http: httpx.AsyncClient | None = None) -> None:
        self.url = webhook_url
        self.http = http or httpx.AsyncClient(timeout=TIMEOUT)

    async def send(self, message: dict[str, Any]) -> None:
        _checked(await _request(self.http, "POST", self.url, json=message))  # the key is in the URL

    async def close(self) -> None:
        await self.http.aclose()
