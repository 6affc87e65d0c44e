"""python-telegram-bot's HTTPX networking, with calls sent as JSON bodies.

PTB's HTTPXRequest sends every call as a form (application/x-www-form-urlencoded), each value JSON-encoded
and then percent-encoded: for a Chinese answer of a few hundred characters that is nine bytes a character,
built and parsed by pure-Python quoting on both ends. The Bot API takes application/json for every call but
uploads; this class sends those as the JSON payload PTB already builds (RequestData.json_payload) and leaves
uploads (multipart) to HTTPXRequest. Timeouts and errors are translated exactly as HTTPXRequest does.

The body is the call's parameters as one JSON object, UTF-8 as it is: PTB's own json_payload encodes each
value first (a keyboard becomes a JSON string inside the JSON) and escapes every Chinese character (\\uXXXX,
six bytes, twelve inside a keyboard); this body is a third of the size for a typical answer. The Bot API
takes objects and strings alike for parameters such as reply_markup.
"""

from __future__ import annotations

import json

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData

JSON_HEADERS = {"User-Agent": HTTPXRequest.USER_AGENT, "Content-Type": "application/json"}


def json_body(request_data: RequestData) -> bytes:
    """The call's parameters as one compact UTF-8 JSON object."""
    return json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":")).encode()


class JsonHTTPXRequest(HTTPXRequest):
    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = HTTPXRequest.DEFAULT_NONE,
        write_timeout: object = HTTPXRequest.DEFAULT_NONE,
        connect_timeout: object = HTTPXRequest.DEFAULT_NONE,
        pool_timeout: object = HTTPXRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is None or request_data.contains_files:
            return await super().do_request(url, method, request_data, read_timeout,  # type: ignore[arg-type]
                                            write_timeout, connect_timeout, pool_timeout)  # type: ignore[arg-type]
        if self._client.is_closed:
            raise RuntimeError("This HTTPXRequest is not initialized!")
        default = self._client.timeout

        def given(value: object, fallback: float | None) -> float | None:
            return value if value is None or isinstance(value, (int, float)) else fallback

        timeout = httpx.Timeout(connect=given(connect_timeout, default.connect), read=given(read_timeout, default.read),
                                write=given(write_timeout, default.write), pool=given(pool_timeout, default.pool))
        try:
            response = await self._client.request(method=method, url=url, headers=JSON_HEADERS, timeout=timeout,
                                                  content=json_body(request_data))
        except httpx.TimeoutException as err:
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut(message="Pool timeout: all connections in the pool are busy; the request was not "
                                       "sent to Telegram.") from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return response.status_code, response.content
