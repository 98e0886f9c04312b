"""Pagination and waiters through the transport seam."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dws.client import DwsClient
from dws.errors import DwsResponseError, DwsWaitTimeoutError
from dws.models import Event, ListEventsResponse
from dws.paging import offset_is_page_number, paginate
from dws.waiters import JobFailedError, cluster_is, wait_for_cluster, wait_for_job
from tests.dws.test_client import TARGET


def paged_server(total: int, *, by_page: bool, key: str):
    seen: list[tuple[int, int]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        seen.append((offset, limit))
        start = (offset - 1) * limit if by_page else offset
        items = [{"id": i, "event_id": str(i)} for i in range(start, min(start + limit, total))]
        return httpx.Response(200, json={key: items, "count": total})

    return handler, seen


def test_offset_convention_is_read_from_the_reference() -> None:
    assert offset_is_page_number("list_events") is True
    assert offset_is_page_number("list_alarm_detail") is True
    assert offset_is_page_number("list_cluster_snapshots") is False


async def test_paginate_by_page_number() -> None:
    handler, seen = paged_server(250, by_page=True, key="events")
    async with DwsClient(TARGET, transport=httpx.MockTransport(handler)) as client:
        items = [e async for e in paginate(client.call, "list_events", "events", page_size=100)]
    assert [e["id"] for e in items] == list(range(250))
    assert seen == [(1, 100), (2, 100), (3, 100)]


async def test_paginate_by_record_offset() -> None:
    handler, seen = paged_server(120, by_page=False, key="snapshots")
    async with DwsClient(TARGET, transport=httpx.MockTransport(handler)) as client:
        items = [
            s
            async for s in paginate(
                client.call,
                "list_cluster_snapshots",
                "snapshots",
                {"cluster_id": "c1"},
                page_size=50,
            )
        ]
    assert len(items) == 120
    assert seen == [(0, 50), (50, 50), (100, 50)]


async def test_paginate_model_pages() -> None:
    handler, seen = paged_server(150, by_page=True, key="events")

    async def fetch(operation: str, query: dict[str, Any]) -> ListEventsResponse:
        return await client.call_model(operation, ListEventsResponse, query)

    async with DwsClient(TARGET, transport=httpx.MockTransport(handler)) as client:
        items = [e async for e in paginate(fetch, "list_events", "events", page_size=100)]
    assert all(isinstance(e, Event) for e in items) and len(items) == 150
    assert seen == [(1, 100), (2, 100)]


async def test_paginate_refuses_a_page_without_its_list() -> None:
    async with DwsClient(
        TARGET, transport=httpx.MockTransport(lambda _: httpx.Response(200, json={"x": 1}))
    ) as client:
        with pytest.raises(DwsResponseError, match="list_events: the answer has no list"):
            [e async for e in paginate(client.call, "list_events", "events")]


async def test_paginate_stops_at_max_items() -> None:
    handler, seen = paged_server(1000, by_page=True, key="events")
    async with DwsClient(TARGET, transport=httpx.MockTransport(handler)) as client:
        items = [e async for e in paginate(client.call, "list_events", "events", max_items=150)]
    assert len(items) == 150
    assert len(seen) == 2


def job_server(*statuses: tuple[str, str]):
    answers = list(statuses)

    def handler(request: httpx.Request) -> httpx.Response:
        status, progress = answers.pop(0)
        body = {"job_id": "j1", "job_name": "restart", "status": status, "progress": progress}
        if status == "FAIL":
            body["failed_detail"] = "DWS.0114: ELB private IP is not configured."
        return httpx.Response(200, json=body)

    return handler


async def test_wait_for_job_reports_progress_until_success() -> None:
    handler = job_server(("RUNNING", "10%"), ("RUNNING", "60%"), ("SUCCESS", "100%"))
    seen: list[str] = []
    async with DwsClient(TARGET, transport=httpx.MockTransport(handler)) as client:
        job = await wait_for_job(
            client, "j1", interval=0, on_progress=lambda j: seen.append(j["progress"])
        )
    assert job["status"] == "SUCCESS"
    assert seen == ["10%", "60%", "100%"]


async def test_wait_for_job_failure() -> None:
    handler = job_server(("RUNNING", "5%"), ("FAIL", "9%"))
    async with DwsClient(TARGET, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(JobFailedError, match="ELB private IP"):
            await wait_for_job(client, "j1", interval=0)


async def test_wait_for_job_timeout() -> None:
    handler = job_server(*[("RUNNING", "1%")] * 5)
    async with DwsClient(TARGET, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(DwsWaitTimeoutError):
            await wait_for_job(client, "j1", interval=0.01, timeout=0.0)


async def test_wait_for_cluster_until_idle() -> None:
    states: list[dict[str, object]] = [
        {
            "status": "AVAILABLE",
            "task_status": "REBOOTING",
            "action_progress": {"REBOOTING": "30%"},
        },
        {"status": "AVAILABLE", "task_status": None},
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"cluster": {"id": "c1", **states.pop(0)}})

    async with DwsClient(TARGET, transport=httpx.MockTransport(handler)) as client:
        cluster = await wait_for_cluster(client, "c1", until=cluster_is("AVAILABLE"), interval=0)
    assert cluster["task_status"] is None
