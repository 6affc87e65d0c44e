"""python-telegram-bot's networking on aiohttp, with calls sent as JSON bodies.

Why not PTB's HTTPXRequest: sending answers was more than half of the bot's CPU time per message (bench/
telegram_throughput.py, profiled with py-spy), nearly all of it in httpx and httpcore (the connection pool
checks every connection's socket on every request; headers and bodies are parsed in pure Python). aiohttp,
a well-kept client with a C HTTP parser, does the same calls for about a third of that. PTB supports such a
replacement through its BaseRequest interface: it still builds each call, reads Telegram's answer and raises
its own errors from the status code (BaseRequest._request_wrapper); this class only moves the bytes.

Bodies: the Bot API takes application/json for every call but uploads. PTB sends every call as a form,
each value JSON-encoded and then percent-encoded (nine bytes per Chinese character, quoted in pure Python);
here a call is the parameters as one compact UTF-8 JSON object, a third of the size for a typical answer
(PTB's own json_payload would encode a keyboard as a JSON string inside the JSON and escape every Chinese
character). Uploads (sendPhoto with a file) go as multipart, as PTB sends them.

Proxies: HTTP_PROXY, HTTPS_PROXY and NO_PROXY are honoured, as httpx did (Telegram is often reached through a
proxy). They are read once (the proxies when the session starts, NO_PROXY at the first call to a host), with
urllib's own parsing: aiohttp's trust_env reads the whole environment (and ~/.netrc) again on every request,
about 1.4 ms of CPU a call where the environment is large, which held the bot to 0.8 x the echo bot on one
machine (bench/telegram_throughput.py, profiled with yappi). A change to those variables takes effect at the
next start.

Timeouts: PTB's defaults (5 s to connect, read and write, 20 s to write an upload), overridden per call as
PTB passes them; a timeout becomes telegram.error.TimedOut, any other transport failure NetworkError.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit
from urllib.request import getproxies_environment, proxy_bypass

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
MEDIA_WRITE_TIMEOUT = 20.0
HEADERS = {"User-Agent": BaseRequest.USER_AGENT}
JSON_HEADERS = {**HEADERS, "Content-Type": "application/json"}


def json_body(request_data: RequestData) -> bytes:
    """The call's parameters as one compact UTF-8 JSON object."""
    return json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":")).encode()


def multipart_body(request_data: RequestData) -> aiohttp.FormData:
    """An upload: the files as parts with their names and types, the other parameters as text fields."""
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in (request_data.multipart_data or {}).items():
        file_name, content, mime_type = part
        form.add_field(name, content, filename=file_name, content_type=mime_type)
    return form


def _seconds(value: object, fallback: float | None) -> float | None:
    """A timeout PTB passed (a number, None for none) or, when it passed its DEFAULT_NONE, the fallback."""
    if isinstance(value, DefaultValue):
        return fallback
    return float(value) if isinstance(value, (int, float)) else None


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a pool of `connection_pool_size` connections."""

    def __init__(self, connection_pool_size: int = 8, read_timeout: float | None = READ_TIMEOUT) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str] = {}  # scheme -> proxy URL, from the environment at start
        self._proxy_of: dict[tuple[str, str], str | None] = {}  # (scheme, host:port) -> its proxy (None: direct)

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._proxies, self._proxy_of = getproxies_environment(), {}
            self._session = aiohttp.ClientSession(connector=connector, skip_auto_headers=("Accept-Encoding",))

    def _proxy(self, url: str) -> str | None:
        """The proxy for a URL by HTTP(S)_PROXY as read at start and NO_PROXY as read at the first call to its
        host (None: connect directly)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._proxy_of:
            proxy = self._proxies.get(parts.scheme)
            if proxy and proxy_bypass(parts.netloc):  # by NO_PROXY
                proxy = None
            self._proxy_of[key] = proxy
        return self._proxy_of[key]

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        upload = request_data is not None and request_data.contains_files
        read = _seconds(read_timeout, self._read_timeout)
        write = _seconds(write_timeout, MEDIA_WRITE_TIMEOUT if upload else WRITE_TIMEOUT)
        connect = _seconds(connect_timeout, CONNECT_TIMEOUT)
        # aiohttp has no write timeout of its own: sending the body counts towards the whole call's limit.
        total = None if read is None or write is None else read + write + (connect or 0.0)
        timeout = aiohttp.ClientTimeout(total=total, connect=connect, sock_read=read)
        proxy = self._proxy(url)
        try:
            if request_data is None:
                response = await self._session.request(method, url, headers=HEADERS, timeout=timeout, proxy=proxy)
            elif upload:
                response = await self._session.request(method, url, headers=HEADERS, timeout=timeout, proxy=proxy,
                                                       data=multipart_body(request_data))
            else:
                response = await self._session.request(method, url, headers=JSON_HEADERS, timeout=timeout,
                                                       proxy=proxy, data=json_body(request_data))
            async with response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
