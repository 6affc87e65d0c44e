"""Reminder lateness: how long after its time a reminder reaches the channel's sender, inside the app as
`ipbot run` builds it. Reminders are written straight into the database (as `ipbot remind add` does from
another process: nothing wakes the scheduler) at times spread over the next seconds. Target: every one
within 2 s of its time. The baseline printed beside it is the old fixed 15-second poll's expected worst case.

    python bench/reminder_lateness.py [--count 20] [--spread 8]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import build_app
from bot.core.messages import Reply, Target
from bot.settings import Settings
from scheduler import reminders

OLD_POLL_SECONDS = 15.0
TARGET_SECONDS = 2.0


class Clocked:
    """A sender that notes when each message arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, dt.datetime] = {}

    async def send(self, to: Target, reply: Reply) -> None:
        self.arrived[reply.text] = dt.datetime.now(dt.UTC)


async def measure(count: int, spread: float, folder: str) -> list[float]:
    app = build_app(Settings(database_url=f"sqlite:///{folder}/lateness.db", http_listen="127.0.0.1:0"))
    sender = Clocked()
    app.dispatcher.senders["console"] = sender  # type: ignore[index]
    await app.start()
    try:
        start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
        due = {f"提醒{n}": start + dt.timedelta(seconds=spread * n / count) for n in range(count)}
        with app.router.sessions.begin() as session:
            for text, at in due.items():
                reminders.add(session, text, ["console:clerk"], at, None, now=dt.datetime.now(dt.UTC))
        deadline = asyncio.get_running_loop().time() + spread + 30
        while len(sender.arrived) < count and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
    finally:
        await app.stop()
    return [(sender.arrived[text] - at).total_seconds() if text in sender.arrived else float("inf")
            for text, at in due.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--spread", type=float, default=8.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        late = asyncio.run(measure(args.count, args.spread, folder))
    worst = max(late)
    print(f"reminders: {len(late)} fired; lateness median {statistics.median(late):.2f} s, worst {worst:.2f} s "
          f"(target <= {TARGET_SECONDS:.0f} s); the old {OLD_POLL_SECONDS:.0f} s poll: up to {OLD_POLL_SECONDS:.0f} s, "
          f"ratio {worst / OLD_POLL_SECONDS:.2f}")
    return 0 if worst <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
