"""The WeChat Official Account's server API for sending: customer-service messages (message/custom/send) with
an access token every instance shares, and who has unfollowed the account. Errors are translated for the
outbox: worth retrying (TemporaryFailure) or not (PermanentFailure, with a reason staff can read).

/cgi-bin/token hands out a token for 7,200 s and invalidates the previous one (after a 5-minute overlap), so
instances must not each fetch their own: the token is kept in the database (console_setting, with its
expiry) and renewed REFRESH_EARLY seconds before it expires, and at once when WeChat answers 40001 / 40014 /
42001, after which the call is made again once. Two instances renewing at the same moment both store a valid
token (the last stored wins; the other stays valid for the overlap, and a 40001 after it renews again).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import httpx
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.channels import wechat_texts as text
from bot.channels.json_api import request_json
from bot.core.delivery import PermanentFailure, TemporaryFailure
from bot.core.models import ConsoleSetting

TOKEN_SETTING = "wechat_access_token"
UNFOLLOWED_PREFIX = "wechat_unfollowed:"  # + openid: this follower unfollowed the account
TOKEN_INVALID = frozenset({40001, 40014, 42001})  # invalid credential; invalid token; token expired
BUSY = frozenset({-1, 45009, 45047})  # system busy; API frequency limit; too many messages to one follower
WINDOW_CLOSED = 45015  # no message from the follower in the last 48 hours
NOT_FOLLOWING = 43004  # the follower unfollowed
REFRESH_EARLY = 300.0  # seconds before the token's expiry that a new one is fetched
TIMEOUT = httpx.Timeout(10.0)


def _failure(errcode: int, errmsg: str) -> Exception:
    if errcode in BUSY:
        return TemporaryFailure(f"WeChat busy {errcode}: {errmsg}", 60.0 if errcode == 45009 else None)
    if errcode == WINDOW_CLOSED:
        return PermanentFailure(text.WINDOW_CLOSED)
    if errcode == NOT_FOLLOWING:
        return PermanentFailure(text.UNFOLLOWED)
    return PermanentFailure(f"WeChat error {errcode}: {errmsg}")


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    errcode = int(data.get("errcode", 0) or 0)
    if errcode != 0:
        raise _failure(errcode, str(data.get("errmsg", "")))
    return data


async def _request(http: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """One call; the answer's JSON object (bot/channels/json_api.py)."""
    return await request_json(http, "WeChat", method, url, **kwargs)


class AccountState:
    """What every instance must agree on, kept in console_setting: the access token (JSON: token and its
    expiry in epoch seconds) and the followers who unfollowed."""

    def __init__(self, sessions: sessionmaker[Session], writer: AbstractContextManager[object] | None = None) -> None:
        self.sessions = sessions
        self.writer = writer or contextlib.nullcontext()

    def token(self) -> tuple[str, float] | None:
        with self.sessions() as session:
            row = session.get(ConsoleSetting, TOKEN_SETTING)
            if row is None:
                return None
            try:
                kept = json.loads(row.value)
                return str(kept["token"]), float(kept["expires"])
            except (ValueError, KeyError, TypeError):
                return None

    def _put(self, name: str, value: str) -> None:
        for attempt in (1, 2):  # another instance may insert the same name at the same moment
            try:
                with self.writer, self.sessions.begin() as session:
                    row = session.get(ConsoleSetting, name)
                    if row is None:
                        session.add(ConsoleSetting(name=name, value=value))
                    else:
                        row.value = value
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def keep_token(self, token: str, expires: float) -> None:
        self._put(TOKEN_SETTING, json.dumps({"token": token, "expires": expires}))

    def forget_token(self, token: str) -> None:
        """WeChat called `token` invalid: the next call fetches a new one (unless another did already)."""
        kept = self.token()
        if kept is not None and kept[0] == token:
            self.keep_token(token, 0.0)

    def unfollowed(self, openid: str, when: str) -> None:
        self._put(UNFOLLOWED_PREFIX + openid, when)

    def followed(self, openid: str) -> None:
        with self.writer, self.sessions.begin() as session:
            session.execute(delete(ConsoleSetting).where(ConsoleSetting.name == UNFOLLOWED_PREFIX + openid))

    def has_unfollowed(self, openid: str) -> bool:
        with self.sessions() as session:
            return session.get(ConsoleSetting, UNFOLLOWED_PREFIX + openid) is not None


class WeChatClient:
    """message/custom/send for one Official Account."""

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

    async def close(self) -> None:
        await self.http.aclose()
