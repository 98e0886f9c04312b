"""bot.metrics: what a scrape of /metrics shows after recorded events, parsed as Prometheus does."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import commands.handlers  # noqa: F401  (fills the registry)
from bot.logs import register_secret
from bot.metrics import Metrics
from commands.registry import registry
from commands.replies import Severity
from commands.store import ApprovalStatus, Database, TrackerStatus
from commands.store.models import utcnow
from dws.client import CallRecord, DwsClient
from dws.config import DwsTarget
from dws.errors import DwsNotFoundError
from dws.simulator import defaults
from dws.simulator.control import simulator_app
from tests.db_fixtures import fresh_database
from tests.dws.simulator.support import frozen_state

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(metrics: Metrics) -> tuple[Samples, str]:
    """Every sample of a scrape keyed by (name, sorted labels), and the raw text."""
    body, content_type = metrics.render()
    assert content_type.startswith("text/plain")
    text = body.decode()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    return samples, text


def sample(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def record(operation: str, status: int | None, seconds: float) -> CallRecord:
    error = None if status == 200 else "DwsTransportError"
    return CallRecord(operation, "GET", status, seconds, "req-1", error)


async def test_commands_and_acks_are_counted_by_name_and_outcome() -> None:
    metrics = Metrics(registry)
    metrics.command("clusters", Severity.SUCCESS)
    metrics.command("clusters", "success")
    metrics.command("restart", Severity.WARNING)
    metrics.command("frobnicate", Severity.ERROR)  # not a command
    metrics.ack("command", 0.004)
    metrics.ack("action", 0.2)
    samples, _ = scrape(metrics)
    total = "dwsbot_commands_total"
    assert sample(samples, total, command="clusters", outcome="success") == 2
    assert sample(samples, total, command="restart", outcome="warning") == 1
    assert sample(samples, total, command="unknown", outcome="error") == 1
    assert sample(samples, "dwsbot_ack_seconds_count", kind="command") == 1
    assert sample(samples, "dwsbot_ack_seconds_bucket", kind="command", le="0.005") == 1
    assert sample(samples, "dwsbot_ack_seconds_bucket", kind="command", le="0.0025") == 0
    assert sample(samples, "dwsbot_ack_seconds_bucket", kind="action", le="0.1") == 0
    assert sample(samples, "dwsbot_ack_seconds_bucket", kind="action", le="3.0") == 1


async def test_an_alias_counts_under_the_commands_name() -> None:
    spec = next(s for s in registry if s.aliases)
    metrics = Metrics(registry)
    metrics.command(spec.aliases[0], Severity.INFO)
    samples, _ = scrape(metrics)
    assert sample(samples, "dwsbot_commands_total", command=spec.name, outcome="info") == 1


async def test_dws_calls_are_counted_by_operation_and_status() -> None:
    metrics = Metrics(registry)
    metrics.observe_dws(record("list_clusters", 200, 0.03))
    metrics.observe_dws(record("list_clusters", 200, 0.2))
    metrics.observe_dws(record("restart_cluster", None, 30.5))
    samples, _ = scrape(metrics)
    calls, seconds = "dwsbot_dws_calls_total", "dwsbot_dws_call_seconds"
    assert sample(samples, calls, operation="list_clusters", status="200") == 2
    assert sample(samples, calls, operation="restart_cluster", status="error") == 1
    assert sample(samples, f"{seconds}_count", operation="list_clusters") == 2
    assert sample(samples, f"{seconds}_sum", operation="list_clusters") == pytest.approx(0.23)
    assert sample(samples, f"{seconds}_bucket", operation="restart_cluster", le="30.0") == 0
    assert sample(samples, f"{seconds}_bucket", operation="restart_cluster", le="60.0") == 1


async def test_the_client_observer_feeds_the_counters() -> None:
    target = DwsTarget(
        name="sim",
        endpoint="http://dws-simulator.local",
        project_id=defaults.PROJECT_ID,
        ak=defaults.AK,
        sk=defaults.SK,
    )
    metrics = Metrics(registry)
    transport = httpx.ASGITransport(app=simulator_app(frozen_state()))
    async with DwsClient(target, transport=transport, observer=metrics.observe_dws) as client:
        await client.call("list_clusters")
        with pytest.raises(DwsNotFoundError):
            await client.call("list_cluster_details", {"cluster_id": str(uuid.uuid4())})
    samples, _ = scrape(metrics)
    calls = "dwsbot_dws_calls_total"
    assert sample(samples, calls, operation="list_clusters", status="200") == 1
    assert sample(samples, calls, operation="list_cluster_details", status="404") == 1


async def test_slack_calls_and_rate_limits_are_counted() -> None:
    metrics = Metrics(registry)
    metrics.slack_call("chat.postMessage", "ok")
    metrics.slack_call("chat.postMessage", "not_in_channel")
    metrics.slack_call("chat.update", "ratelimited")
    metrics.slack_ratelimited("chat.update")
    metrics.slack_ratelimited("chat.update")
    samples, _ = scrape(metrics)
    calls = "dwsbot_slack_calls_total"
    assert sample(samples, calls, method="chat.postMessage", result="ok") == 1
    assert sample(samples, calls, method="chat.postMessage", result="not_in_channel") == 1
    assert sample(samples, calls, method="chat.update", result="ratelimited") == 1
    assert sample(samples, "dwsbot_slack_ratelimited_total", method="chat.update") == 2


async def test_no_secret_or_free_text_becomes_a_label() -> None:
    token = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp"
    secret = f"signing{uuid.uuid4().hex}"
    register_secret(secret)
    metrics = Metrics(registry)
    for text in (token, secret, f"clusters {token}", f"restart --password {secret}"):
        metrics.command(text, text)
        metrics.ack(text, 0.01)  # type: ignore[arg-type]
        metrics.observe_dws(CallRecord(text, "GET", 200, 0.1, text, text))
        metrics.slack_call(text, text)
        metrics.slack_call("chat.postMessage", text)
        metrics.slack_ratelimited(text)
    samples, text = scrape(metrics)
    assert token not in text and secret not in text
    assert "xoxb" not in text and "signing" not in text
    assert sample(samples, "dwsbot_commands_total", command="unknown", outcome="unknown") == 4
    assert sample(samples, "dwsbot_dws_calls_total", operation="unknown", status="200") == 4
    assert (
        sample(samples, "dwsbot_slack_calls_total", method="unknown", result="invalid_error") == 4
    )
    slack = sample(
        samples, "dwsbot_slack_calls_total", method="chat.postMessage", result="invalid_error"
    )
    assert slack == 4


async def test_two_apps_in_one_process_keep_their_own_counts() -> None:
    first, second = Metrics(registry), Metrics(registry)
    first.command("clusters", Severity.INFO)
    first_samples, _ = scrape(first)
    second_samples, _ = scrape(second)
    assert sample(first_samples, "dwsbot_commands_total", command="clusters", outcome="info") == 1
    assert (
        sample(second_samples, "dwsbot_commands_total", command="clusters", outcome="info") is None
    )


async def _approval(db: Database, status: ApprovalStatus | None = None) -> None:
    async with db.unit_of_work() as uow:
        approval = await uow.approvals.create(
            action="restart",
            command_text="/dws restart prod-dw",
            requester_id="U1",
            requester_name="alice",
            target_name="default",
            expires_at=utcnow() + timedelta(minutes=30),
            required_approvals=1,
            approver_roles=["admin"],
        )
        if status is not None:
            assert await uow.approvals.try_transition(approval.id, ApprovalStatus.PENDING, status)


async def _tracker(db: Database, status: TrackerStatus | None = None) -> None:
    async with db.unit_of_work() as uow:
        tracker = await uow.trackers.create(target_name="default", kind="restart", cluster_id="c1")
        if status is not None:
            assert await uow.trackers.finish(tracker.id, status)


async def test_gauges_count_pending_approvals_and_active_trackers(tmp_path: Path) -> None:
    metrics = Metrics(registry)
    async with fresh_database("sqlite", tmp_path) as db:
        await metrics.refresh_gauges(db)
        empty, _ = scrape(metrics)
        for _ in range(3):
            await _approval(db)
        await _approval(db, ApprovalStatus.DENIED)
        await _tracker(db)
        await _tracker(db)
        await _tracker(db, TrackerStatus.SUCCEEDED)
        await metrics.refresh_gauges(db)
    samples, _ = scrape(metrics)
    assert sample(empty, "dwsbot_pending_approvals") == 0
    assert sample(empty, "dwsbot_active_trackers") == 0
    assert sample(samples, "dwsbot_pending_approvals") == 3
    assert sample(samples, "dwsbot_active_trackers") == 2
