"""The /_sim/ control API: clock, alarms, events, faults, reset and the request log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette

from dws.simulator.clock import SimClock
from dws.simulator.control import control_routes
from dws.simulator.faults import FaultInjector, FaultMiddleware
from dws.simulator.generic import generic_routes
from dws.simulator.state import SimState

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def state() -> SimState:
    return SimState(seed=5, clock=SimClock(START, speed=0))


@pytest.fixture
def faults() -> FaultInjector:
    return FaultInjector(seed=5)


@pytest.fixture
async def client(state: SimState, faults: FaultInjector) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=[*control_routes(state, faults), *generic_routes(state.project_id)])
    transport = httpx.ASGITransport(app=FaultMiddleware(app, faults))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        yield c


async def test_clock_read_advance_set_and_speed(client: httpx.AsyncClient, state: SimState) -> None:
    resp = await client.get("/_sim/clock")
    assert resp.status_code == 200
    assert resp.json()["now"] == START.isoformat()
    assert resp.json()["speed"] == 0
    resp = await client.post("/_sim/clock", json={"advance": 3600})
    assert resp.json()["epoch"] == START.timestamp() + 3600
    assert state.clock.now() == START.timestamp() + 3600
    resp = await client.post("/_sim/clock", json={"set": "2026-03-02T00:00:00+00:00"})
    assert resp.json()["now"] == "2026-03-02T00:00:00+00:00"
    resp = await client.post("/_sim/clock", json={"speed": 10})
    assert resp.json()["speed"] == 10.0
    assert state.clock.speed == 10.0


async def test_clock_refuses_bad_input(client: httpx.AsyncClient) -> None:
    for body in ({"advance": -5}, {"advance": "soon"}, {"set": "yesterday"}, {}, {"speed": -1}):
        resp = await client.post("/_sim/clock", json=body)
        assert resp.status_code == 400, body
        assert resp.json()["error_code"] == "DWS.5063"
    resp = await client.post("/_sim/clock", json={"set": "2020-01-01T00:00:00+00:00"})
    assert resp.status_code == 400
    resp = await client.post("/_sim/clock", content=b"[1,")
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "DWS.5065"


async def test_advancing_the_clock_finishes_a_restart(
    client: httpx.AsyncClient, state: SimState
) -> None:
    idle = [c for c in state.clusters.values() if c.status == "AVAILABLE" and not c.task]
    cluster = next(c for c in idle if state.dr_of(c.id) is None)
    state.restart_cluster(cluster.id)
    assert state.clusters[cluster.id].task is not None
    await client.post("/_sim/clock", json={"advance": 3 * 3600})
    assert state.clusters[cluster.id].task is None


async def test_raise_and_clear_an_alarm(client: httpx.AsyncClient, state: SimState) -> None:
    cluster_id = next(iter(state.clusters))
    resp = await client.post("/_sim/alarms", json={"cluster_id": cluster_id, "level": "urgent"})
    assert resp.status_code == 201, resp.text
    alarm = resp.json()
    assert alarm["status"] == "0" and alarm["cluster_id"] == cluster_id
    assert state.alarms[alarm["id"]].level == "urgent"
    resp = await client.post(f"/_sim/alarms/{alarm['id']}/clear")
    assert resp.status_code == 200
    assert resp.json()["status"] == "1"
    assert state.alarms[alarm["id"]].status == "1"
    resp = await client.post("/_sim/alarms/no-such-alarm/clear")
    assert resp.status_code == 404
    resp = await client.post("/_sim/alarms", json={"cluster_id": "no-such-cluster"})
    assert resp.status_code == 404
    assert (await client.post("/_sim/alarms", json={})).status_code == 400


async def test_emit_an_event(client: httpx.AsyncClient, state: SimState) -> None:
    cluster = next(iter(state.clusters.values()))
    before = len(state.events)
    resp = await client.post(
        "/_sim/events", json={"name": "rebootClusterSuccess", "source_id": cluster.id}
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["source_name"] == cluster.name
    assert len(state.events) == before + 1
    resp = await client.post("/_sim/events", json={"name": "noSuchEvent", "source_id": cluster.id})
    assert resp.status_code == 400


async def test_faults_endpoints(client: httpx.AsyncClient) -> None:
    path = "/v1.0/0a1b2c3d4e5f60718293a4b5c6d7e8f9/availability-zones"
    assert (await client.get(path)).status_code == 200
    resp = await client.post(
        "/_sim/faults", json={"kind": "throttle", "pattern": "*/availability-zones", "count": 1}
    )
    assert resp.status_code == 201
    rule = resp.json()
    listed = (await client.get("/_sim/faults")).json()["faults"]
    assert [f["id"] for f in listed] == [rule["id"]]
    resp = await client.get(path)
    assert resp.status_code == 429 and "retry-after" in resp.headers
    assert (await client.get(path)).status_code == 200
    assert (await client.get("/_sim/faults")).json()["faults"] == []

    second = (await client.post("/_sim/faults", json={"kind": "error", "pattern": "*"})).json()
    assert (await client.get(path)).status_code == 503
    assert (await client.delete(f"/_sim/faults/{second['id']}")).status_code == 200
    assert (await client.delete(f"/_sim/faults/{second['id']}")).status_code == 404
    await client.post("/_sim/faults", json={"kind": "error", "pattern": "*"})
    assert (await client.delete("/_sim/faults")).json() == {"faults": []}
    assert (await client.get(path)).status_code == 200
    bad = await client.post("/_sim/faults", json={"kind": "explode", "pattern": "*"})
    assert bad.status_code == 400
    assert "explode" in bad.json()["error_msg"]


async def test_reset_reseeds_and_clears(
    client: httpx.AsyncClient, state: SimState, faults: FaultInjector
) -> None:
    first_ids = sorted(state.clusters)
    await client.post("/_sim/faults", json={"kind": "error", "pattern": "/nothing"})
    state.record("GET", "/x", 200)
    resp = await client.post("/_sim/reset", json={"seed": 99})
    assert resp.status_code == 200
    assert resp.json()["seed"] == 99
    assert sorted(state.clusters) != first_ids
    assert faults.rules == [] and len(state.request_log) == 0
    await client.post("/_sim/reset", json={"seed": 5})
    assert sorted(state.clusters) == first_ids
    assert (await client.post("/_sim/reset")).json()["seed"] == 5
    assert (await client.post("/_sim/reset", json={"seed": "x"})).status_code == 400


async def test_request_log(client: httpx.AsyncClient, state: SimState) -> None:
    for i in range(3):
        state.record("GET", f"/v1.0/p/clusters/{i}", 200)
    resp = await client.get("/_sim/requests")
    assert resp.json()["count"] == 3
    newest = (await client.get("/_sim/requests", params={"limit": 1})).json()["requests"]
    assert newest == [
        {"method": "GET", "path": "/v1.0/p/clusters/2", "status": 200, "time": START.timestamp()}
    ]
    assert (await client.get("/_sim/requests", params={"limit": "x"})).status_code == 400


async def test_summary(client: httpx.AsyncClient, state: SimState) -> None:
    resp = await client.get("/_sim/")
    assert resp.status_code == 200
    assert resp.json()["clusters"] == len(state.clusters)
    assert resp.json()["faults"] == 0


async def test_unknown_control_paths_and_methods_answer_in_dws_format(
    client: httpx.AsyncClient,
) -> None:
    resp = await client.get("/_sim/nope")
    assert resp.status_code == 404 and resp.json()["error_code"] == "DWS.5063"
    for method, path in (("DELETE", "/_sim/clock"), ("GET", "/_sim/alarms/a1/clear")):
        resp = await client.request(method, path)
        assert resp.status_code == 405, path
        assert resp.json()["error_msg"] == f"{method} is not allowed on {path}."
    assert (await client.get("/_sim/clock")).status_code == 200


async def test_request_log_limit_must_be_ascii_digits(client: httpx.AsyncClient) -> None:
    for raw in ("\u00b2", "-1", "x", "1.5"):
        resp = await client.get("/_sim/requests", params={"limit": raw})
        assert resp.status_code == 400
        assert resp.json()["error_msg"] == "Query parameter limit must be a non-negative integer."


async def test_wrong_field_types_are_named_in_plain_words(client: httpx.AsyncClient) -> None:
    resp = await client.post("/_sim/reset", json={"seed": "x"})
    assert resp.json()["error_msg"] == "Field seed must be an integer."
    resp = await client.post("/_sim/faults", json={"kind": "error", "pattern": "*", "status": "x"})
    assert resp.json()["error_msg"] == "fault field status must be an integer"
