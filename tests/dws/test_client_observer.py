"""The client's observer: one `CallRecord` per logical call, against the in-process simulator.

The simulator is the whole one (faults, auth, routes) over ``httpx.ASGITransport``; a thin
transport in front of it notes the ``X-Request-Id`` of every answer that crossed the wire.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from dws.client import CallRecord, DwsClient, RetryPolicy
from dws.config import DwsTarget
from dws.errors import DwsNotFoundError, DwsTransportError
from dws.simulator import defaults
from dws.simulator.control import simulator_app
from dws.simulator.faults import FaultInjector
from tests.dws.simulator.support import frozen_state

TARGET = DwsTarget(
    name="sim",
    endpoint="http://dws-simulator.local",
    project_id=defaults.PROJECT_ID,
    ak=defaults.AK,
    sk=defaults.SK,
)
MISSING = "00000000-0000-4000-8000-000000000000"


class Wire(httpx.AsyncBaseTransport):
    """Passes requests to the simulator and keeps each answer's status and request id."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.answers: list[tuple[int, str | None]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.answers.append((response.status_code, response.headers.get("X-Request-Id")))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Observed:
    client: DwsClient
    wire: Wire
    faults: FaultInjector
    records: list[CallRecord] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)


@pytest.fixture
async def observed() -> AsyncIterator[Observed]:
    state = frozen_state()
    faults = FaultInjector(seed=1)
    wire = Wire(httpx.ASGITransport(app=simulator_app(state, faults=faults)))
    records: list[CallRecord] = []
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    policy = RetryPolicy(max_attempts=3)
    client = DwsClient(TARGET, transport=wire, retry=policy, sleep=sleep, observer=records.append)
    async with client:
        yield Observed(client, wire, faults, records, sleeps)


async def test_a_list_call_is_one_record_with_the_simulators_request_id(
    observed: Observed,
) -> None:
    data = await observed.client.call("list_clusters")
    assert data["clusters"]
    [record] = observed.records
    [(status, request_id)] = observed.wire.answers
    assert (status, record.status) == (200, 200)
    assert request_id and record.request_id == request_id
    assert (record.operation, record.method, record.error) == ("list_clusters", "GET", None)
    assert record.seconds >= 0


async def test_a_not_found_answer_is_recorded_with_its_status(observed: Observed) -> None:
    with pytest.raises(DwsNotFoundError) as info:
        await observed.client.call("list_cluster_details", {"cluster_id": MISSING})
    [record] = observed.records
    [(_, request_id)] = observed.wire.answers
    assert record.status == 404 == info.value.status
    assert record.request_id == request_id == info.value.request_id
    assert record.error == (info.value.error_code or "DwsNotFoundError")


async def test_retries_make_one_record_of_the_final_answer(observed: Observed) -> None:
    observed.faults.add("throttle", "*/clusters", count=2, retry_after=1)
    await observed.client.call("list_clusters")
    assert [status for status, _ in observed.wire.answers] == [429, 429, 200]
    assert observed.sleeps == [1.0, 1.0]
    [record] = observed.records
    assert (record.status, record.error) == (200, None)
    assert record.request_id == observed.wire.answers[-1][1]


async def test_a_transport_error_is_recorded_without_a_status(observed: Observed) -> None:
    observed.faults.add("drop", "*/clusters")
    with pytest.raises(DwsTransportError):
        await observed.client.call("list_clusters")
    assert observed.wire.answers == []
    assert len(observed.sleeps) == 2  # three attempts, one record
    [record] = observed.records
    assert (record.status, record.request_id) == (None, None)
    assert record.error == "DwsTransportError"


async def test_an_observer_that_raises_is_logged_and_ignored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(record: CallRecord) -> None:
        raise RuntimeError(f"observer broke on {record.operation}")

    transport = httpx.ASGITransport(app=simulator_app(frozen_state()))
    with caplog.at_level(logging.ERROR, logger="dwsbot.dws"):
        async with DwsClient(TARGET, transport=transport, observer=broken) as client:
            assert (await client.call("list_clusters"))["clusters"]
    [entry] = caplog.records
    assert entry.name == "dwsbot.dws" and "list_clusters" in entry.getMessage()
    assert entry.exc_info is not None and "observer broke" in str(entry.exc_info[1])
