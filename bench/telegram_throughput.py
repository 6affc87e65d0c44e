"""Telegram throughput: 3,000 updates from 300 users through the Bot API double (tests/doubles), handled by
the whole bot (search, database log, reply) vs a bare python-telegram-bot echo bot against the same
double, measured in the same run. Target: the bot's rate >= 0.8 x the echo bot's.

    python bench/telegram_throughput.py [--users 300] [--per-user 10] [--rounds 5]

The bot is built as `ipbot run` builds it (bot.app.build_app), with its defaults: every update stored in the
inbox before Telegram is told, handled in one transaction that queues its answer in the outbox, sent by the
outbox dispatcher: the durable pipeline. The echo bot is python-telegram-bot as it comes. The bot's overall
send cap is set far above Telegram's 30 messages a second for this run ("uncapped"): the double has no limits
to respect, so what is measured is the bot's own cost per update. Each round runs every bot once, in turn;
the figures are medians. For scale it also measures a bare PTB bot that sends the bot's own answers and
buttons, looked up in a dict (what sending those replies costs, with none of the bot's work).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters  # noqa: E402

from tests.doubles.telegram_api import TOKEN  # noqa: E402


def questions(count: int) -> list[str]:
    """Chat-style questions that each get exactly one reply (no handoff requests, nothing empty)."""
    from run import benchmark_questions

    from handlers import smalltalk

    candidates = benchmark_questions(count * 2)[0]
    return [q for q in candidates if len(q.strip()) > 1 and smalltalk.classify(q) is not smalltalk.Kind.HANDOFF
            and "人工" not in q][:count]


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


def echo_bot(base_url: str, handler: Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]] = echo,
             ) -> tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]:
    app = ApplicationBuilder().token(TOKEN).base_url(f"{base_url}/bot").build()
    app.add_handler(MessageHandler(filters.TEXT, handler))

    async def start() -> None:
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)

    async def stop() -> None:
        assert app.updater is not None
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    return start, stop


def answering_echo_bot(answers: dict[str, tuple[str, Any]]
                       ) -> Callable[[str], tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]]:
    """A bare PTB bot that sends, for each question, the bot's own answer and buttons, looked up in a dict:
    what sending those replies costs python-telegram-bot, with none of the bot's work."""

    async def reply(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text is not None:
            text, fields = answers.get(update.message.text, (update.message.text, None))
            await update.message.reply_text(text, api_kwargs=fields)

    def make(base_url: str) -> tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]:
        return echo_bot(base_url, reply)

    return make


def precomputed_answers(texts: list[str], folder: str) -> dict[str, tuple[str, Any]]:
    from bot.app import build_router
    from bot.channels.telegram import keyboard_fields
    from bot.core.messages import Incoming
    from bot.settings import Settings

    router = build_router(Settings(database_url=f"sqlite:///{folder}/answers.db"))
    router.rate_limiter.limit = 10**9
    answers = {}
    for text in texts:
        first = router.handle(Incoming("telegram", "1", "1", text=text))[0]
        answers[text] = (first.text, keyboard_fields(first))
    return answers


def full_bot(base_url: str, folder: str
             ) -> tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]:
    import uuid

    from bot.app import build_app
    from bot.process import startup_done
    from bot.settings import Settings

    settings = Settings(telegram_token=TOKEN, telegram_base_url=base_url, telegram_max_rate=1_000_000,
                        database_url=f"sqlite:///{folder}/bench-{uuid.uuid4().hex[:8]}.db",
                        user_messages_per_minute=10**6, http_listen="127.0.0.1:0")
    app = build_app(settings)  # as `ipbot run` builds it
    startup_done()  # and as it then settles the process (gc.freeze)
    return app.start, app.stop


class RemoteDouble:
    """The Bot API double in a process of its own, as Telegram is: the bots do not share its CPU."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "tests.doubles.telegram_api"], cwd=ROOT,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()

    def control(self, action: str, payload: object = None) -> dict[str, int]:
        data = json.dumps(payload).encode() if payload is not None else b""
        request = urllib.request.Request(f"{self.base_url}/_control/{action}", data=data, method="POST")
        with urllib.request.urlopen(request, timeout=660) as response:
            result: dict[str, int] = json.loads(response.read())
            return result

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


async def measure(double: RemoteDouble, make: Callable[[str], tuple[Callable[[], Awaitable[None]],
                                                                    Callable[[], Awaitable[None]]]],
                  texts: list[str], users: int) -> float:
    """Updates per second, from queuing all updates to the last reply."""
    start, stop = make(double.base_url)
    await start()
    try:
        double.control("reset")
        messages = [{"user_id": 100_000 + n % users, "text": text} for n, text in enumerate(texts)]
        began = time.perf_counter()
        double.control("messages", messages)
        await asyncio.to_thread(double.control, "wait", {"count": len(texts), "timeout": 600})
        elapsed = time.perf_counter() - began
    finally:
        await stop()
    return len(texts) / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--per-user", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    texts = questions(args.users * args.per_user)
    ratios, echo_rates, bot_rates, answering_ratios = [], [], [], []
    double = RemoteDouble()
    with tempfile.TemporaryDirectory() as folder:
        answering = answering_echo_bot(precomputed_answers(texts, folder))
        try:
            for _ in range(args.rounds):
                echo_rate = asyncio.run(measure(double, echo_bot, texts, args.users))
                bot_rate = asyncio.run(measure(double, lambda url: full_bot(url, folder), texts, args.users))
                answering_ratios.append(asyncio.run(measure(double, answering, texts, args.users)) / echo_rate)
                echo_rates.append(echo_rate)
                bot_rates.append(bot_rate)
                ratios.append(bot_rate / echo_rate)
        finally:
            double.close()
    ratio = statistics.median(ratios)
    print(f"telegram: {len(texts)} updates from {args.users} users, {args.rounds} rounds; "
          f"bot {statistics.median(bot_rates):.0f} updates/s, bare PTB echo bot {statistics.median(echo_rates):.0f} "
          f"updates/s; ratio {ratio:.2f} (rounds {min(ratios):.2f}–{max(ratios):.2f}; target >= 0.8)")
    print(f"  for scale: a bare PTB bot sending the bot's answers and buttons (looked up, no work) reaches "
          f"{statistics.median(answering_ratios):.2f} x the echo bot")
    return 0 if ratio >= 0.8 else 1


if __name__ == "__main__":
    raise SystemExit(main())
