"""Telegram calls on aiohttp (bot/channels/telegram_request.py): a Telegram that hangs, refuses or is not there
makes a message wait and be tried again; one that refuses the message for good makes it dead, not retried."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import pytest
from telegram import Bot

from bot.channels.telegram import TelegramSender
from bot.channels.telegram_request import AiohttpRequest
from bot.core.delivery import PermanentFailure, TemporaryFailure
from bot.core.messages import Address, Reply

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def answering(status: int, payload: dict[str, object], received: list[tuple[str, bytes]] | None = None) -> Serve:
    """A server that answers every call so; received: where to keep each call's request line and body."""
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        body = await reader.readexactly(length)
        if received is not None:
            received.append((head.split(b"\r\n")[0].decode(), body))
        answer = json.dumps(payload).encode()
        writer.write(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (status, len(answer), answer))
        await writer.drain()
        writer.close()

    return serve


async def hanging(reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
    await reader.read(-1)  # reads the call and never answers


async def send_through(serve: Serve | None, read_timeout: float = 5.0) -> None:
    """One sendMessage through a Bot on AiohttpRequest against a local server (None: nothing listens)."""
    server = await asyncio.start_server(serve or hanging, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    if serve is None:
        server.close()
        await server.wait_closed()
    request = AiohttpRequest(read_timeout=read_timeout)
    bot = Bot("1:T", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    await request.initialize()
    try:
        await TelegramSender(bot, None).send(Address("telegram", "42"), Reply("您好"))
    finally:
        await request.shutdown()
        if serve is not None:
            server.close()


def test_a_telegram_that_does_not_answer_makes_the_message_wait_for_a_retry() -> None:
    with pytest.raises(TemporaryFailure, match="Timed out"):
        asyncio.run(asyncio.wait_for(send_through(hanging, read_timeout=0.3), timeout=10))


def test_a_telegram_that_cannot_be_reached_makes_the_message_wait_for_a_retry() -> None:
    with pytest.raises(TemporaryFailure):
        asyncio.run(send_through(None))


def test_a_flood_answer_gives_the_wait_telegram_asks_for() -> None:
    serve = answering(429, {"ok": False, "error_code": 429, "description": "Too Many Requests",
                            "parameters": {"retry_after": 7}})
    with pytest.raises(TemporaryFailure) as caught:
        asyncio.run(send_through(serve))
    assert caught.value.retry_after == 7


def test_a_user_who_blocked_the_bot_is_not_tried_again() -> None:
    serve = answering(403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
    with pytest.raises(PermanentFailure, match="blocked"):
        asyncio.run(send_through(serve))


def test_a_sent_message_reaches_telegram_once_with_its_chat_and_text() -> None:
    message = {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "您好"}
    received: list[tuple[str, bytes]] = []
    asyncio.run(send_through(answering(200, {"ok": True, "result": message}, received)))  # no failure raised
    ((request_line, body),) = received
    assert request_line.startswith("POST /bot1:T/sendMessage ")
    sent = json.loads(body)
    assert (str(sent["chat_id"]), sent["text"]) == ("42", "您好")


def test_calls_before_initialize_say_so() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        asyncio.run(AiohttpRequest().do_request("http://127.0.0.1:9/", "POST"))


def test_calls_go_through_the_proxy_the_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where Telegram is reached only through a proxy, HTTP(S)_PROXY is honoured."""
    seen: list[bytes] = []
    message = {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "您好"}
    reply = answering(200, {"ok": True, "result": message})

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n"))  # a proxy is asked for the absolute address
        await reply(reader, writer)

    async def run() -> None:
        server = await asyncio.start_server(proxy, "127.0.0.1", 0)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        request = AiohttpRequest()
        await request.initialize()
        try:
            bot = Bot("1:T", base_url="http://telegram.example/bot", request=request)
            await TelegramSender(bot, None).send(Address("telegram", "42"), Reply("您好"))
        finally:
            await request.shutdown()
            server.close()

    asyncio.run(run())
    assert seen and seen[0].startswith(b"POST http://telegram.example/bot1:T/sendMessage")


def test_hosts_in_no_proxy_are_reached_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_PROXY names hosts reached without the proxy (here the proxy does not even answer)."""
    message = {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "您好"}
    calls: list[bytes] = []
    reply = answering(200, {"ok": True, "result": message})

    async def telegram(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        calls.append(await reader.readuntil(b"\r\n"))
        await reply(reader, writer)

    async def run() -> None:
        server = await asyncio.start_server(telegram, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        request = AiohttpRequest()
        await request.initialize()
        try:
            bot = Bot("1:T", base_url=f"http://127.0.0.1:{port}/bot", request=request)
            await TelegramSender(bot, None).send(Address("telegram", "42"), Reply("您好"))
        finally:
            await request.shutdown()
            server.close()

    asyncio.run(run())
    assert calls and calls[0].startswith(b"POST /bot1:T/sendMessage")  # asked directly, not as to a proxy
