"""`/metrics` on the HTTP server, in Prometheus' text format (prometheus-client), from a registry of the app's
own (not the process-wide one: tests and benchmarks build several apps in one process).

    ipbot_messages_handled_total{channel}       messages handled (their replies queued)
    ipbot_answers_total{outcome}                questions answered: confident | unsure (buttons not counted)
    ipbot_reply_latency_seconds                 histogram: message stored in the inbox → its replies queued
    ipbot_outbox_messages{channel,status}       outbox rows pending or dead now (read from the database at scrape)
    ipbot_reminders_fired_total                 reminders fired (by this instance, while it leads)
    ipbot_reminders_late_total                  of those, fired later than IPBOT_REMINDER_LATE_AFTER_SECONDS
    ipbot_scheduler_leader                      1 on the instance that schedules reminders (the leader), else 0

Counters are this process's since it started (Prometheus' rate() handles restarts); the outbox gauges are the
database's, the same from every instance.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from tornado.web import RequestHandler

from bot.core.models import OutboxMessage

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
OUTBOX_STATES = ("pending", "dead")


class OutboxGauges(Collector):
    """Outbox rows pending and dead by channel: one grouped count at each scrape (the status index serves it),
    on a reader engine (on SQLite it does not take the write lock)."""

    def __init__(self, reader: Engine, channels: Sequence[str]) -> None:
        self.reader = reader
        self.channels = tuple(channels)

    def collect(self) -> Iterable[Metric]:
        gauge = GaugeMetricFamily("ipbot_outbox_messages", "Outbox messages by channel and status (pending, dead)",
                                  labels=["channel", "status"])
        counts = {(channel, status): 0 for channel in self.channels for status in OUTBOX_STATES}
        with self.reader.connect() as connection:
            for channel, status, count in connection.execute(
                    select(OutboxMessage.channel, OutboxMessage.status, func.count())
                    .where(OutboxMessage.status.in_(OUTBOX_STATES))
                    .group_by(OutboxMessage.channel, OutboxMessage.status)):
                counts[(channel, status)] = int(count)
        for (channel, status), count in sorted(counts.items()):
            gauge.add_metric([channel, status], count)
        yield gauge


class Metrics:
    def __init__(self, reader: Engine, channels: Sequence[str] = ()) -> None:
        self.reader = reader
        self.registry = CollectorRegistry()
        self.messages = Counter("ipbot_messages_handled", "Messages handled (replies queued), by channel",
                                ["channel"], registry=self.registry)
        self.answers = Counter("ipbot_answers", "Questions answered, by outcome (confident, unsure)", ["outcome"],
                               registry=self.registry)
        for outcome in ("confident", "unsure"):
            self.answers.labels(outcome)
        self.latency = Histogram("ipbot_reply_latency_seconds", "From a message stored to its replies queued",
                                 buckets=LATENCY_BUCKETS, registry=self.registry)
        self.reminders_fired = Counter("ipbot_reminders_fired", "Reminders fired", registry=self.registry)
        self.reminders_late = Counter("ipbot_reminders_late", "Reminders fired late", registry=self.registry)
        self.registry.register(OutboxGauges(reader, channels))
        self.leads: Callable[[], bool] = lambda: False  # set by the app: whether this instance schedules
        leader = Gauge("ipbot_scheduler_leader", "1 on the instance that schedules reminders and the daily upkeep "
                       "(holds the leader lock), 0 elsewhere", registry=self.registry)
        leader.set_function(lambda: float(self.leads()))

    def handled(self, messages: Sequence[tuple[str, float]], answers: Sequence[bool]) -> None:
        """A handled batch (the pipeline's observer): (channel, seconds since stored) a message, and whether
        each question answered was answered confidently."""
        for channel, seconds in messages:
            self.messages.labels(channel).inc()
            self.latency.observe(max(0.0, seconds))
        for confident in answers:
            self.answers.labels("confident" if confident else "unsure").inc()

    def fired(self, late: Sequence[bool]) -> None:
        """Reminders fired (the reminder loop's observer): whether each was late."""
        self.reminders_fired.inc(len(late))
        self.reminders_late.inc(sum(late))

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def close(self) -> None:
        self.reader.dispose()


class MetricsHandler(RequestHandler):
    def initialize(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def get(self) -> None:
        body = await asyncio.to_thread(self.metrics.render)  # the outbox count reads the database
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(body)
