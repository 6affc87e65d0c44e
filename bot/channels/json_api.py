"""One call to a platform's JSON API (WeCom's, WeChat's), as the outbox needs its failures: an unreachable
server, 429 or a 5xx (honouring Retry-After) are worth trying again; what is not a JSON object too. The
platform's own errcode is for the caller to judge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from bot.core.delivery import TemporaryFailure


async def request_json(http: httpx.AsyncClient, platform: str, method: str, url: str, **kwargs: Any
                       ) -> dict[str, Any]:
    try:
        response = await http.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise TemporaryFailure(f"{platform} unreachable: {exc.__class__.__name__}") from exc
    return json_object(response, platform)


def json_object(response: httpx.Response, platform: str) -> dict[str, Any]:
    """The answer's JSON object, or TemporaryFailure."""
    if response.status_code == 429 or response.status_code >= 500:
        retry = response.headers.get("Retry-After")
        raise TemporaryFailure(f"{platform} HTTP {response.status_code}",
                               float(retry) if retry and retry.isdigit() else None)
    try:
        data = response.json()
    except ValueError as exc:
        raise TemporaryFailure(f"{platform} HTTP {response.status_code}: not JSON") from exc
    if not isinstance(data, dict):
        raise TemporaryFailure(f"{platform} answered something other than an object")
    return data


def checked(data: dict[str, Any], failure: Callable[[int, str], Exception]) -> dict[str, Any]:
    """The answer, unless the platform's errcode says the call failed: then `failure(errcode, errmsg)` is raised
    (each platform judges its own codes)."""
    errcode = int(data.get("errcode", 0) or 0)
    if errcode != 0:
        raise failure(errcode, str(data.get("errmsg", "")))
    return data
