"""Fault injection: errors, throttling with Retry-After, latency, dropped connections."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dws.simulator.faults import (
    DroppedConnection,
    FaultInjector,
    FaultMiddleware,
    FaultRule,
    parse_fault_spec,
)

CLUSTERS = "/v1.0/p1/clusters"


async def _ok(request: Request) -> JSONResponse:
    return JSONResponse({"path": request.url.path})


def _app(injector: FaultInjector) -> FaultMiddleware:
    return FaultMiddleware(
        Starlette(routes=[Route("/{path:path}", _ok, methods=["GET", "POST"])]), injector
    )


@pytest.fixture
def injector() -> FaultInjector:
    return FaultInjector(seed=7)


@pytest.fixture
async def client(injector: FaultInjector) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app(injector))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        yield c


async def test_error_by_count_then_recovers(
    client: httpx.AsyncClient, injector: FaultInjector
) -> None:
    rule = injector.add("error", "*/clusters", count=2, status=502)
    statuses = [(await client.get(CLUSTERS)).status_code for _ in range(3)]
    assert statuses == [502, 502, 200]
    assert rule.fired == 2
    assert injector.rules == []
    injector.add("error", "*/clusters", count=1)
    resp = await client.get(CLUSTERS)
    assert resp.status_code == 503
    assert set(resp.json()) == {"error_code", "error_msg"}


async def test_throttle_carries_retry_after(
    client: httpx.AsyncClient, injector: FaultInjector
) -> None:
    injector.add("throttle", "*/clusters", retry_after=7, count=1)
    resp = await client.get(CLUSTERS)
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "7"
    assert resp.json()["error_code"] == "APIGW.0308"
    assert (await client.get(CLUSTERS)).status_code == 200


async def test_method_and_pattern_filters(
    client: httpx.AsyncClient, injector: FaultInjector
) -> None:
    injector.add("error", "re:/clusters/[^/]+/restart$", method="post")
    assert (await client.get("/v1.0/p1/clusters/c1/restart")).status_code == 200
    assert (await client.post("/v1.0/p1/clusters/c1/restart")).status_code == 503
    assert (await client.post("/v1.0/p1/clusters/c1/restart/x")).status_code == 200
    injector.clear()
    injector.add("error", "/v1.0/*/snapshots")
    assert (await client.get("/v1.0/p1/snapshots")).status_code == 503
    assert (await client.get("/v2/v1.0/p1/snapshots")).status_code == 200  # globs are anchored


async def test_control_paths_are_never_faulted(
    client: httpx.AsyncClient, injector: FaultInjector
) -> None:
    injector.add("error", "*")
    assert (await client.get("/_sim/clock")).status_code == 200
    assert (await client.get(CLUSTERS)).status_code == 503


async def test_probability_is_seeded_and_reproducible() -> None:
    def draws(seed: int) -> list[bool]:
        injector = FaultInjector(seed=seed)
        injector.add("error", "*", probability=0.3)
        return [bool(injector.pick("GET", CLUSTERS)) for _ in range(500)]

    first = draws(1)
    assert first == draws(1)
    assert first != draws(2)
    assert 100 <= sum(first) <= 200
    never = FaultInjector()
    never.add("error", "*", probability=0.0)
    assert not any(never.pick("GET", CLUSTERS) for _ in range(100))


async def test_count_and_probability_combine() -> None:
    injector = FaultInjector(seed=3)
    injector.add("error", "*", probability=0.5, count=5)
    fired = sum(bool(injector.pick("GET", CLUSTERS)) for _ in range(200))
    assert fired == 5
    assert injector.rules == []


async def test_latency_is_added_and_the_request_then_succeeds(
    client: httpx.AsyncClient, injector: FaultInjector
) -> None:
    injector.add("latency", "*/clusters", seconds=0.2, count=1)
    start = time.monotonic()
    resp = await client.get(CLUSTERS)
    assert resp.status_code == 200
    assert time.monotonic() - start >= 0.2


async def test_dropped_connection_in_process_is_a_transport_error(
    client: httpx.AsyncClient, injector: FaultInjector
) -> None:
    injector.add("drop", "*/clusters", count=1)
    with pytest.raises(httpx.TransportError) as info:
        await client.get(CLUSTERS)
    assert isinstance(info.value, DroppedConnection)
    assert (await client.get(CLUSTERS)).status_code == 200


@pytest.mark.parametrize("http", ["h11", "httptools"])
async def test_dropped_connection_over_uvicorn_is_a_network_error(
    injector: FaultInjector, http: str
) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(_app(injector), log_level="critical", lifespan="off", http=http)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        injector.add("drop", "*/clusters", count=1)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
            with pytest.raises(httpx.TransportError) as info:
                await c.get(CLUSTERS)
            assert not isinstance(info.value, DroppedConnection)
            injector.add("throttle", "*/clusters", count=1, retry_after=2)
            resp = await c.get(CLUSTERS)
            assert resp.status_code == 429
            assert resp.headers["retry-after"] == "2"
            assert (await c.get(CLUSTERS)).status_code == 200
    finally:
        server.should_exit = True
        await task
        sock.close()


def test_parse_fault_spec() -> None:
    assert parse_fault_spec("*/restart=error:status=502,count=2") == {
        "pattern": "*/restart",
        "kind": "error",
        "status": 502,
        "count": 2,
    }
    assert parse_fault_spec("*=drop:probability=0.25") == {
        "pattern": "*",
        "kind": "drop",
        "probability": 0.25,
    }
    assert parse_fault_spec("*/x=throttle")["kind"] == "throttle"
    for bad in ("nokind", "*/x=explode", "*/x=error:count=two", "*/x=error:colour=red"):
        with pytest.raises(ValueError):
            parse_fault_spec(bad)


def test_invalid_rules_are_refused(injector: FaultInjector) -> None:
    for data in (
        {"kind": "error"},
        {"kind": "boom", "pattern": "*"},
        {"kind": "error", "pattern": "*", "status": 404},
        {"kind": "error", "pattern": "*", "count": 0},
        {"kind": "error", "pattern": "*", "probability": 2},
        {"kind": "error", "pattern": "re:(", "count": 1},
        {"kind": "latency", "pattern": "*", "seconds": "slow"},
        {"kind": "error", "pattern": "*", "extra": 1},
        ["not", "an", "object"],
    ):
        with pytest.raises(ValueError):
            injector.add_from_dict(data)
    assert injector.rules == []
    rule = injector.add_from_dict({"kind": "latency", "pattern": "*", "seconds": 1})
    assert isinstance(rule, FaultRule) and rule.to_dict()["seconds"] == 1
    assert injector.remove(rule.id) and not injector.remove(rule.id)
