"""Reply latency on WeChat at Telegram's pace (bench/reply_latency.py's measure, over the WeChat channel):
300 questions from 300 followers at 30 a second, each posted encrypted (wechatpy) to the bot's
/wechat/callback, answered by the whole bot as `ipbot run` builds it (inbox, one dispatch, outbox,
customer-service messages), timed from the moment WeChat's side starts posting to the first message of the
answer reaching the WeChat API double. WeChat's side and the double run in a process of their own (their
encryption and HTTP do not share the bot's CPU). Targets: every message answered, p95 <= 0.5 s.

    python bench/wechat_reply_latency.py [--messages 300] [--rate 30]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_P95 = 0.5
TIMEOUT = 120.0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def wechat_side(count: int, rate: float) -> int:
    """The double and WeChat's side, in this process: prints the double's URL, reads the bot's callback URL,
    posts `count` questions at `rate` a second, then prints the latencies (JSON) of those answered."""
    from telegram_throughput import questions

    from tests.doubles.wechat_api import WeChatDouble, WeChatServer

    texts = questions(count)
    with WeChatDouble() as double:
        print(double.base_url, flush=True)
        wechat = WeChatServer(sys.stdin.readline().strip())
        posted: dict[str, float] = {}
        refused = 0

        def post(user: str, text: str) -> bool:
            posted[user] = time.monotonic()
            return wechat.says(user, text).body == "success"

        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            began = time.monotonic()
            futures = []
            for n, text in enumerate(texts):  # paced: one every 1/rate seconds
                time.sleep(max(0.0, began + n / rate - time.monotonic()))
                futures.append(pool.submit(post, f"oBench{n:04d}", text))
            refused = sum(not future.result() for future in futures)
        deadline = time.monotonic() + TIMEOUT
        first: dict[str, float] = {}
        while time.monotonic() < deadline and len(first) < len(texts):
            first = {}
            for message in list(double.messages):
                first.setdefault(message.touser, message.at)
            time.sleep(0.05)
        print(json.dumps({"latencies": [first[user] - posted[user] for user in first], "sent": len(texts),
                          "refused": refused}), flush=True)
    return 0


async def run(count: int, rate: float, folder: str) -> dict[str, object]:
    from bot.app import build_app
    from bot.process import startup_done
    from bot.settings import Settings
    from tests.doubles.wechat_api import AES_KEY, APP_ID, APP_SECRET, TOKEN

    side = subprocess.Popen([sys.executable, __file__, "--wechat-side", "--messages", str(count), "--rate", str(rate)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert side.stdin is not None and side.stdout is not None
    base_url = side.stdout.readline().strip()
    settings = Settings(wechat_app_id=APP_ID, wechat_app_secret=APP_SECRET, wechat_token=TOKEN,
                        wechat_aes_key=AES_KEY, wechat_api_base_url=base_url,
                        database_url=f"sqlite:///{folder}/wechat-latency.db", http_listen="127.0.0.1:0")
    app = build_app(settings)
    startup_done()
    await app.start()
    try:
        assert app.http is not None
        side.stdin.write(f"http://127.0.0.1:{app.http.port}/wechat/callback\n")
        side.stdin.flush()
        result: dict[str, object] = json.loads(await asyncio.to_thread(side.stdout.readline))
    finally:
        await app.stop()
        side.wait(timeout=30)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--wechat-side", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.wechat_side:
        return wechat_side(args.messages, args.rate)
    with tempfile.TemporaryDirectory() as folder:
        result = asyncio.run(run(args.messages, args.rate, folder))
    latencies = [float(x) for x in result["latencies"]]  # type: ignore[attr-defined]
    sent = int(result["sent"])  # type: ignore[call-overload]
    print(f"WeChat reply latency at {args.rate:.0f}/s, {sent} messages: p95 {p95(latencies):.3f} s "
          f"(median {statistics.median(latencies):.3f}, max {max(latencies):.3f}); answered {len(latencies)} of "
          f"{sent} (callbacks refused: {result['refused']}); target p95 <= {TARGET_P95} s")
    return 0 if len(latencies) == sent and not result["refused"] and p95(latencies) <= TARGET_P95 else 1


if __name__ == "__main__":
    raise SystemExit(main())
