"""`/metrics`: Prometheus text from the app's own registry — messages, answers, reply latency, the outbox's
pending and dead rows, reminders fired and late."""

from __future__ import annotations

import datetime as dt

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from bot.app import App
from bot.core.messages import Address, Incoming, Reply
from bot.core.models import OutboxMessage, QuestionLog
from bot.core.outbox import enqueue
from bot.settings import Settings
from knowledge.service import KnowledgeService
from scheduler import reminders
from tests.helpers import CollectingSender, RunningApp, until, utc_now


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def test_metrics_count_messages_answers_outbox_and_reminders(tmp_path, knowledge: KnowledgeService) -> None:  # type: ignore[no-untyped-def]
    sender = CollectingSender()

    def prepare(app: App) -> None:
        app.dispatcher.senders["terminal"] = sender

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ipbot.db'}", http_listen="127.0.0.1:0")
    running = RunningApp(settings, knowledge, prepare=prepare)
    other = RunningApp(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'other.db'}"}),
                       knowledge)  # a second app in the same process: its own registry
    try:
        questions = ["商标注册需要多久", "专利权质押登记要带什么材料", "今天天气怎么样", "asdfgh qwerty"]
        items = [(f"k{n}", Incoming("terminal", f"u{n}", f"u{n}", text=text)) for n, text in enumerate(questions)]
        running.call(running.app.pipeline.take("terminal", items))
        running.call(running.app.pipeline.take("wecom", [("w1", Incoming("wecom", "zs", "zs", text="你好"))]))
        running.settle()
        now = utc_now()
        with running.sessions.begin() as session:
            reminders.add(session, "按时", ["terminal:shop"], now, None, now=now)
            reminders.add(session, "迟了", ["terminal:shop"], now - dt.timedelta(minutes=10), None, now=now)
            enqueue(session, Address("telegram", "42"), Reply("later"), due=now + dt.timedelta(days=1), now=now)
            dead = enqueue(session, Address("wecom", "zs"), Reply("gone"), now=now)
            assert dead is not None
            dead.status = "dead"
        running.app.jobs.wake()
        until(lambda: len([r for _to, r in sender.sent if r.text.endswith(("按时", "迟了"))]) == 2, what="reminders")

        def settled() -> bool:  # the terminal's replies sent, the wecom reply (no such channel here) dead
            with running.sessions() as session:
                return not session.scalars(select(OutboxMessage.id).where(
                    OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.channel != "telegram")).all()

        until(settled, what="the outbox settled")
        with running.sessions() as session:
            logged = session.scalars(select(QuestionLog.confident)).all()
        figures = scrape(running.port)
    finally:
        other.stop()
        running.stop()

    assert figures[("ipbot_messages_handled_total", (("channel", "terminal"),))] == 4
    assert figures[("ipbot_messages_handled_total", (("channel", "wecom"),))] == 1
    assert figures[("ipbot_answers_total", (("outcome", "confident"),))] == sum(logged) >= 2
    assert figures[("ipbot_answers_total", (("outcome", "unsure"),))] == len(logged) - sum(logged) >= 1
    assert figures[("ipbot_reply_latency_seconds_count", ())] == 5
    assert figures[("ipbot_reply_latency_seconds_bucket", (("le", "+Inf"),))] == 5
    assert figures[("ipbot_outbox_messages", (("channel", "telegram"), ("status", "pending")))] == 1
    assert figures[("ipbot_outbox_messages", (("channel", "wecom"), ("status", "dead")))] == 2  # + the unsendable reply
    assert ("ipbot_outbox_messages", (("channel", "terminal"), ("status", "pending"))) not in figures or \
        figures[("ipbot_outbox_messages", (("channel", "terminal"), ("status", "pending")))] == 0
    assert figures[("ipbot_reminders_fired_total", ())] == 2
    assert figures[("ipbot_reminders_late_total", ())] == 1


def test_the_leader_gauge_names_the_instance_that_schedules(database_url: str, knowledge: KnowledgeService) -> None:
    """ipbot_scheduler_leader: 1 on the instance holding the scheduler's lock, 0 on the others, and it moves
    to a successor when the leader stops (on SQLite the one instance leads)."""
    settings = Settings(database_url=database_url, http_listen="127.0.0.1:0", reminder_check_seconds=0.1)
    leader_gauge = ("ipbot_scheduler_leader", ())
    first = RunningApp(settings, knowledge)
    try:
        until(lambda: scrape(first.port)[leader_gauge] == 1, what="the first instance leads")
        if not database_url.startswith("postgresql"):
            return
        second = RunningApp(settings, knowledge)
        try:
            assert scrape(second.port)[leader_gauge] == 0 and scrape(first.port)[leader_gauge] == 1
            first.stop()
            until(lambda: scrape(second.port)[leader_gauge] == 1, what="the second instance takes over")
        finally:
            second.stop()
    finally:
        first.stop()
