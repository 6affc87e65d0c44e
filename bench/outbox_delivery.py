"""Outbox delivery under Telegram's limits: 3,000 messages through the Bot API double (in its own process)
capped at 30 messages a second, with a 429 injected every 1,000th call. Target: delivered rate >= 0.95 x the
cap, 0 lost, 0 duplicated. The dispatcher keeps to the cap with a sliding window counted from each answer's arrival,
sends to several chats at once, and honours Retry-After (the message, and its chat's later ones, wait that
long before the next attempt).

    python bench/outbox_delivery.py [--messages 3000] [--cap 30]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from telegram_throughput import RemoteDouble  # noqa: E402

from tests.doubles.telegram_api import TOKEN  # noqa: E402


async def deliver(double: RemoteDouble, count: int, cap: float, folder: str) -> tuple[float, dict[str, int]]:
    from bot.channels.telegram import TelegramSender, make_bot, send_limits
    from bot.core.db import open_database
    from bot.core.messages import Address, Reply
    from bot.core.outbox import Dispatcher, enqueue, status_counts
    from bot.settings import Settings

    settings = Settings(telegram_token=TOKEN, telegram_base_url=double.base_url, telegram_max_rate=cap,
                        database_url=f"sqlite:///{folder}/outbox.db")
    _engine, sessions = open_database(settings.database_url)
    with sessions.begin() as session:
        for n in range(count):
            enqueue(session, Address("telegram", str(200_000 + n % 300)), Reply(f"提醒 {n}"), key=f"bench:{n}")
    bot = make_bot(settings)
    await bot.initialize()
    dispatcher = Dispatcher(sessions, {"telegram": TelegramSender(bot, None)},
                            limits={"telegram": send_limits(settings)})
    began = time.perf_counter()
    try:
        while True:
            if await dispatcher.run_once() > 0:
                continue
            with sessions() as session:
                counts = status_counts(session)
            if counts["pending"] + counts["sending"] == 0:
                break
            await asyncio.sleep(0.05)  # only retries are left, waiting for their time
    finally:
        await bot.shutdown()
    return time.perf_counter() - began, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--cap", type=float, default=30.0)
    args = parser.parse_args()
    double = RemoteDouble()
    try:
        double.control("limits", {"cap": int(args.cap), "inject_every": 1000})
        with tempfile.TemporaryDirectory() as folder:
            elapsed, counts = asyncio.run(deliver(double, args.messages, args.cap, folder))
        seen = double.control("count")
    finally:
        double.close()
    rate = seen["sent"] / elapsed
    lost = args.messages - seen["distinct"]
    duplicated = seen["sent"] - seen["distinct"]
    ratio = rate / args.cap
    print(f"outbox: {args.messages} messages in {elapsed:.1f} s = {rate:.1f}/s against a cap of {args.cap:g}/s "
          f"(ratio {ratio:.3f}, target >= 0.95); 429s answered {seen['throttled']}; lost {lost}, duplicated "
          f"{duplicated}; outbox sent {counts['sent']}, dead {counts['dead']}")
    return 0 if ratio >= 0.95 and lost == 0 and duplicated == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
