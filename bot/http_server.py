"""The project's one HTTP server (tornado, already used by python-telegram-bot's webhooks), listening on
IPBOT_HTTP_LISTEN: WeCom's callback, the Telegram webhook when one is configured, and /healthz."""

from __future__ import annotations

import socket
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.httputil import HTTPHeaders, HTTPServerRequest
from tornado.netutil import bind_sockets
from tornado.web import Application, OutputTransform, RequestHandler

MAX_BODY = 1024 * 1024  # no route takes more (each may check a smaller limit of its own)

Route = tuple[str, type[RequestHandler], dict[str, Any]]


# On every response, whatever produced it (a page, a static file, a redirect, an error): what a browser must
# not do with it; pages that need more (the console's) set their own, which are kept.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


class SecurityHeaders(OutputTransform):
    """Adds SECURITY_HEADERS where a handler set none of its own, and drops the Server header (no version)."""

    def __init__(self, request: HTTPServerRequest) -> None:
        super().__init__(request)

    def transform_first_chunk(self, status_code: int, headers: HTTPHeaders, chunk: bytes,
                              finishing: bool) -> tuple[int, HTTPHeaders, bytes]:
        for name, value in SECURITY_HEADERS.items():
            if name not in headers:
                headers[name] = value
        if "Server" in headers:
            del headers["Server"]
        return status_code, headers, chunk


class Health(RequestHandler):
    def get(self) -> None:
        self.finish("ok")


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"IPBOT_HTTP_LISTEN must be host:port, got {listen!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


class ListenError(RuntimeError):
    """The server cannot listen where IPBOT_HTTP_LISTEN says (the port taken, the address not this host's)."""


class HttpServer:
    def __init__(self, listen: str, routes: list[Route]) -> None:
        self.host, self.port = parse_listen(listen)
        self.application = Application([("/healthz", Health, {}), *routes], transforms=[SecurityHeaders],
                                       xsrf_cookie_kwargs={"samesite": "Strict", "path": "/console", "httponly": True})
        self._server: HTTPServer | None = None

    def start(self) -> int:
        """Bind and serve inside the running event loop; returns the port (useful with port 0)."""
        try:
            sockets = bind_sockets(self.port, self.host, family=socket.AF_UNSPEC)
        except OSError as exc:
            raise ListenError(f"cannot listen on {self.host}:{self.port} ({exc.strerror or exc}); set "
                              f"IPBOT_HTTP_LISTEN to a free host:port (each instance on a machine needs its own)"
                              ) from exc
        self._server = HTTPServer(self.application, max_body_size=MAX_BODY)
        self._server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None
