"""Prometheus metrics of the bot (``GET /metrics``), in a registry of their own.

Each `Metrics` has its own `CollectorRegistry`, so several apps (and tests) in one process never
share counters. Label values come from closed sets only: a command's registered name (an alias
counts under its name; anything else is ``unknown``), a reply severity, a catalogue operation, an
HTTP status, a Slack method and error code of the shapes Slack uses. Free text, and so a secret
pasted into a command, can never become a label.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from bot.logs import redact
from commands.registry import Registry
from commands.replies import Severity
from commands.store.session import Database
from dws.client import CallRecord
from dws.operations import all_operations

UNKNOWN = "unknown"
SEVERITIES: frozenset[str] = frozenset(s.value for s in Severity)
AckKind = Literal["command", "action", "view", "event"]
ACK_KINDS: frozenset[str] = frozenset({"command", "action", "view", "event"})
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0)
"""Slack wants an answer within 3 s; an ack should take milliseconds."""
DWS_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
"""One logical DWS call, retries included (the timeout is 30 s per attempt by default)."""
GAUGE_LIMIT = 10_000
"""The most rows `Metrics.refresh_gauges` counts of each kind."""
SLACK_METHOD = re.compile(r"[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+")
SLACK_ERROR = re.compile(r"[a-z][a-z0-9_]{0,63}")


class Metrics:
    """The bot's counters, histograms and gauges, and their text exposition."""

    def __init__(self, commands: Registry) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._commands = commands
        self._operations = frozenset(op.name for op in all_operations())
        self.commands_total = Counter(
            "dwsbot_commands_total",
            "Commands answered, by command and reply severity.",
            ("command", "outcome"),
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "dwsbot_ack_seconds",
            "Seconds from receiving a Slack request to acknowledging it.",
            ("kind",),
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.dws_calls_total = Counter(
            "dwsbot_dws_calls_total",
            "DWS API calls (after retries), by operation and HTTP status or 'error'.",
            ("operation", "status"),
            registry=self.registry,
        )
        self.dws_call_seconds = Histogram(
            "dwsbot_dws_call_seconds",
            "Seconds one DWS API call took, retries included.",
            ("operation",),
            buckets=DWS_BUCKETS,
            registry=self.registry,
        )
        self.slack_calls_total = Counter(
            "dwsbot_slack_calls_total",
            "Slack Web API calls, by method and result (ok, Slack's error code, ratelimited).",
            ("method", "result"),
            registry=self.registry,
        )
        self.slack_ratelimited_total = Counter(
            "dwsbot_slack_ratelimited_total",
            "HTTP 429 answers from the Slack Web API (retried or not), by method.",
            ("method",),
            registry=self.registry,
        )
        self.pending_approvals = Gauge(
            "dwsbot_pending_approvals",
            "Approval requests waiting for votes.",
            registry=self.registry,
        )
        self.active_trackers = Gauge(
            "dwsbot_active_trackers",
            "Operations being tracked until they settle.",
            registry=self.registry,
        )

    def command(self, name: str, outcome: Severity | str) -> None:
        """Count one answered command (``name`` as typed or registered; ``outcome`` a severity)."""
        spec = self._commands.get(name)
        self.commands_total.labels(
            spec.name if spec is not None else UNKNOWN, _one_of(str(outcome), SEVERITIES)
        ).inc()

    def ack(self, kind: AckKind, seconds: float) -> None:
        """Record how long acknowledging a Slack request of ``kind`` took."""
        self.ack_seconds.labels(_one_of(kind, ACK_KINDS)).observe(seconds)

    def observe_dws(self, record: CallRecord) -> None:
        """The `dws.client.DwsClient` observer: count and time one DWS call."""
        operation = _one_of(record.operation, self._operations)
        status = str(record.status) if record.status is not None else "error"
        self.dws_calls_total.labels(operation, status).inc()
        self.dws_call_seconds.labels(operation).observe(record.seconds)

    def slack_call(self, method: str, result: str) -> None:
        """Count one Slack Web API call; ``result`` is ok, an error code or ratelimited."""
        self.slack_calls_total.labels(_slack_method(method), slack_error_label(result)).inc()

    def slack_ratelimited(self, method: str) -> None:
        """Count one HTTP 429 answer of the Slack Web API."""
        self.slack_ratelimited_total.labels(_slack_method(method)).inc()

    async def refresh_gauges(self, db: Database) -> None:
        """Set the gauges from the store (call before rendering ``/metrics``)."""
        async with db.unit_of_work(readonly=True) as uow:
            pending = await uow.approvals.list_pending(limit=GAUGE_LIMIT)
            active = await uow.trackers.list_active(limit=GAUGE_LIMIT)
        self.pending_approvals.set(len(pending))
        self.active_trackers.set(len(active))

    def render(self) -> tuple[bytes, str]:
        """The exposition body and its content type, for ``GET /metrics``."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def _one_of(value: str, allowed: Collection[str]) -> str:
    return value if value in allowed else UNKNOWN


def _slack_method(method: str) -> str:
    fits = len(method) <= 64 and SLACK_METHOD.fullmatch(method)
    return method if fits and redact(method) == method else UNKNOWN


def slack_error_label(result: str) -> str:
    """Slack's error code as given when it has the shape of one and is no registered secret."""
    return result if SLACK_ERROR.fullmatch(result) and redact(result) == result else "invalid_error"
