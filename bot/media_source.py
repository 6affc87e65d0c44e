"""What a channel offers the photo downloader: the bytes of a file a user sent, by the platform's file id.
Failures are the outbox's: TemporaryFailure (try again later), PermanentFailure (never will work), and
MediaTooLarge when the platform says, or the download shows, that the file is over the limit."""

from __future__ import annotations

from typing import Protocol

from bot.core.delivery import PermanentFailure


class MediaTooLarge(PermanentFailure):
    """Over the limit (nothing more of it was read)."""


class MediaSource(Protocol):
    async def fetch(self, file_id: str, limit: int) -> bytes: ...


async def read_limited(chunks: object, limit: int) -> bytes:
    """Bytes from an async iterator of chunks, stopping (MediaTooLarge) past `limit`."""
    data = bytearray()
    async for chunk in chunks:  # type: ignore[attr-defined]
        data += chunk
        if len(data) > limit:
            raise MediaTooLarge(f"over {limit} bytes")
    return bytes(data)
