"""A platform's side of an encrypted callback (WeCom's, WeChat's): what it posts to the bot and what it gets
back. Each platform's double builds its own messages and envelopes on top of this."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


class CallbackPoster:
    """Posts (and GETs) to the bot's callback URL with a query, as the platform does."""

    def __init__(self, url: str) -> None:
        self.url = url

    def post(self, query: dict[str, str], body: bytes) -> Answer:
        request = urllib.request.Request(f"{self.url}?{urllib.parse.urlencode(query)}", data=body, method="POST",
                                         headers={"Content-Type": "text/xml"})
        return self._open(request)

    def get(self, query: dict[str, str]) -> Answer:
        return self._open(urllib.request.Request(f"{self.url}?{urllib.parse.urlencode(query)}"))

    @staticmethod
    def _open(request: urllib.request.Request) -> Answer:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Answer(response.status, response.read().decode())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, exc.read().decode(errors="replace"))
