"""Reply latency at Telegram's pace, quiet and under a login storm: 300 questions from 300 people at 30 a
second through the Bot API double (in a process of its own), answered by the whole bot as `ipbot run` builds it
(Telegram's real 30 messages a second cap), timed from each question's arrival at the double to its reply
there. Then the same again while 100 wrong passwords are tried at the staff console from 100 addresses (behind
a trusted proxy, so each is its own address and none is throttled). Targets: every message answered, p95
<= 0.5 s in both; the storm's p95 is also printed as a ratio of the quiet one measured in the same run.

    python bench/reply_latency.py [--messages 300] [--rate 30] [--logins 100]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from telegram_throughput import RemoteDouble, questions  # noqa: E402

from tests.doubles.telegram_api import TOKEN  # noqa: E402

TARGET_P95 = 0.5


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def storm(url: str, logins: int, done: threading.Event) -> int:
    """Wrong passwords for the console's admin, each from its own address; returns how many were refused."""
    import httpx

    def attempt(n: int) -> int:
        with httpx.Client(base_url=url, timeout=60, headers={"X-Forwarded-For": f"198.18.{n // 250}.{n % 250}"}) as c:
            page = c.get("/console/login").text
            token = page.split('name="_xsrf" value="', 1)[1].split('"', 1)[0]
            return c.post("/console/login", data={"_xsrf": token, "username": "boss", "password": f"wrong-{n}"}
                          ).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(attempt, range(logins)))
    done.set()
    return sum(code in (401, 429) for code in codes)


async def run(double: RemoteDouble, texts: list[str], rate: float, logins: int, folder: str) -> tuple[list[float], int]:
    import uuid

    from bot.app import build_app
    from bot.console import accounts
    from bot.process import startup_done
    from bot.settings import Settings

    settings = Settings(telegram_token=TOKEN, telegram_base_url=double.base_url, telegram_max_rate=30,
                        database_url=f"sqlite:///{folder}/latency-{uuid.uuid4().hex[:8]}.db",
                        http_listen="127.0.0.1:0", trusted_proxies="127.0.0.1")
    app = build_app(settings)
    startup_done()
    with app.router.sessions.begin() as session:
        accounts.add(session, "boss", "admin", "the-right-password-1", app.router.clock())
    await app.start()
    refused = 0
    try:
        double.control("reset")
        storming = None
        if logins:  # from a process of its own, as attackers are: its clients do not share the bot's CPU
            assert app.http is not None
            storming = asyncio.create_task(asyncio.to_thread(
                subprocess.run, [sys.executable, __file__, "--storm", f"http://127.0.0.1:{app.http.port}",
                                 "--logins", str(logins)], capture_output=True, text=True, timeout=600))
        began = time.perf_counter()
        for n, text in enumerate(texts):  # paced: one every 1/rate seconds
            await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
            await asyncio.to_thread(double.control, "messages", [{"user_id": 200_000 + n, "text": text}])
        await asyncio.to_thread(double.control, "wait", {"count": len(texts), "timeout": 300})
        if storming is not None:
            refused = int((await storming).stdout.strip() or 0)
        latencies = (await asyncio.to_thread(double.control, "latencies"))["latencies"]
    finally:
        await app.stop()
    return list(latencies), refused  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--logins", type=int, default=100)
    parser.add_argument("--storm", help=argparse.SUPPRESS)  # the login storm's own process: the console's URL
    args = parser.parse_args()
    if args.storm:
        print(storm(args.storm, args.logins, threading.Event()))
        return 0
    texts = questions(args.messages)
    double = RemoteDouble()
    try:
        with tempfile.TemporaryDirectory() as folder:
            quiet, _ = asyncio.run(run(double, texts, args.rate, 0, folder))
            stormy, refused = asyncio.run(run(double, texts, args.rate, args.logins, folder))
    finally:
        double.close()
    ok = len(quiet) == len(stormy) == len(texts)
    print(f"reply latency at {args.rate:.0f}/s, {len(texts)} messages: quiet p95 {p95(quiet):.3f} s "
          f"(median {statistics.median(quiet):.3f}); with {args.logins} wrong console logins alongside "
          f"({refused} refused) p95 {p95(stormy):.3f} s (median {statistics.median(stormy):.3f}); "
          f"ratio {p95(stormy) / p95(quiet):.2f}; answered {len(quiet)} and {len(stormy)} of {len(texts)}; "
          f"target p95 <= {TARGET_P95} s")
    ok = ok and p95(quiet) <= TARGET_P95 and p95(stormy) <= TARGET_P95
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
