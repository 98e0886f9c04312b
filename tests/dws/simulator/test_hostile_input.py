"""Hostile input found in review never breaks the simulator: non-finite numbers, lone UTF-16
surrogates, clock values beyond any date, malformed IAM identities and odd snapshot names
answer 4xx in the service's format, and the simulator keeps working afterwards."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from dws.simulator.auth import AuthConfig
from dws.simulator.catalogue import strict_json
from dws.simulator.clock import LATEST, SimClock
from dws.simulator.control import simulator_app
from dws.simulator.faults import FaultInjector, parse_fault_spec
from dws.simulator.state import SimState
from tests.dws.simulator.support import P, by_name

NAN_BODIES = [
    b'{"restart": NaN}',
    b'{"restart": {"x": Infinity}}',
    b'{"restart": {"x": 1e999}}',
    b"[" * 100_000 + b"]" * 100_000,  # deeper than the parser's recursion limit
    b'{"restart": ' + b'{"a":' * 5000 + b"1" + b"}" * 5001,
]
SURROGATE = b'{"restart": {"note": "\\ud800"}}'


@pytest.fixture
async def client(state: SimState) -> AsyncIterator[httpx.AsyncClient]:
    """The whole app, auth by IAM token (the token endpoint is part of what is tested)."""
    app = simulator_app(state, auth=AuthConfig(project_id=state.project_id))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim"
    ) as c:
        resp = await c.post("/v3/auth/tokens", json=_identity())
        assert resp.status_code == 201
        c.headers["X-Auth-Token"] = resp.headers["X-Subject-Token"]
        yield c


def _identity(user: object = None) -> dict[str, object]:
    cfg = AuthConfig()
    default = {
        "name": cfg.iam_user,
        "password": cfg.iam_password,
        "domain": {"name": cfg.iam_domain},
    }
    return {
        "auth": {
            "identity": {"methods": ["password"], "password": {"user": user or default}},
            "scope": {"project": {"id": cfg.project_id}},
        }
    }


def test_strict_json_refuses_what_rfc_8259_does() -> None:
    for raw in (b"NaN", b"[Infinity]", b'{"a": -Infinity}', b"[1e999]", b'["\\udc00"]'):
        with pytest.raises(ValueError):
            strict_json(raw)
    assert strict_json(b'{"a": "\\u00e9\\ud83d\\ude00", "b": 1.5e3}') == {
        "a": "\u00e9\U0001f600",
        "b": 1500.0,
    }


async def test_core_and_generic_bodies_with_non_finite_numbers_or_surrogates(
    client: httpx.AsyncClient, state: SimState
) -> None:
    cid = by_name(state, "reporting")
    for raw in [*NAN_BODIES, SURROGATE]:
        resp = await client.post(f"/v1.0/{P}/clusters/{cid}/restart", content=raw)
        assert (resp.status_code, resp.json()["error_code"]) == (400, "DWS.5065"), raw
        # a generic (non-core) operation with a body
        resp = await client.post(f"/v1/{P}/snapshots/check", content=raw)
        assert (resp.status_code, resp.json()["error_code"]) == (400, "DWS.5065"), raw
    assert state.get_cluster(cid).task is None


async def test_nested_array_errors_name_the_field(
    client: httpx.AsyncClient, state: SimState
) -> None:
    url = f"/v1.0/{P}/clusters/{by_name(state, 'reporting')}/tags/batch-delete"
    resp = await client.post(url, json={"tags": [{"key": None}]})
    assert resp.json() == {
        "error_code": "DWS.5063",
        "error_msg": "Parameter tags[0].key is mandatory.",
    }
    resp = await client.post(url, json={"tags": [1]})
    assert resp.json()["error_msg"] == "Parameter tags[0] must be an object."


async def test_control_api_refuses_surrogates_and_non_finite_numbers(
    client: httpx.AsyncClient, state: SimState
) -> None:
    cid = by_name(state, "reporting").encode()
    cases = [
        ("/_sim/alarms", b'{"cluster_id": "\\ud800"}'),
        ("/_sim/events", b'{"name": "deleteClusterSuccess", "source_id": "\\ud800"}'),
        ("/_sim/faults", b'{"kind": "drop", "pattern": "\\ud800"}'),
        ("/_sim/alarms", b'{"cluster_id": "' + cid + b'", "message": "\\udfff"}'),
        ("/_sim/clock", b'{"advance": Infinity}'),
        ("/_sim/clock", b'{"speed": NaN}'),
        ("/_sim/clock", b"[" * 100_000 + b"]" * 100_000),
    ]
    events, alarms = len(state.events), len(state.alarms)
    for path, raw in cases:
        resp = await client.post(path, content=raw)
        assert (resp.status_code, resp.json()["error_code"]) == (400, "DWS.5065"), path
    assert (len(state.events), len(state.alarms)) == (events, alarms)
    assert (await client.get("/_sim/faults")).json() == {"faults": []}


async def test_clock_refuses_to_leave_the_calendar(
    client: httpx.AsyncClient, state: SimState
) -> None:
    before = state.clock.now()
    for body in (
        {"advance": 1e300},
        {"advance": (LATEST - state.clock.now_dt()).total_seconds()},
        {"set": "9999-12-31T23:59:59+00:00"},
        {"speed": 1e308},
    ):
        resp = await client.post("/_sim/clock", json=body)
        assert (resp.status_code, resp.json()["error_code"]) == (400, "DWS.5063"), body
    assert state.clock.now() == before
    resp = await client.get("/_sim/clock")
    assert resp.status_code == 200 and resp.json()["epoch"] == before
    # a naive time is UTC, as documented, both for the forward check and the jump
    resp = await client.post("/_sim/clock", json={"set": "2026-03-01T13:00:00"})
    assert resp.json()["now"] == "2026-03-01T13:00:00+00:00"


def test_clock_values_are_checked_directly() -> None:
    for speed in (math.inf, math.nan, -1.0, 2e6):
        with pytest.raises(ValueError):
            SimClock(speed=speed)
    clock = SimClock(datetime(2026, 1, 1, tzinfo=UTC), speed=0)
    for seconds in (math.nan, math.inf, -1.0):
        with pytest.raises(ValueError):
            clock.advance(seconds)
    with pytest.raises(ValueError):
        clock.set(LATEST)
    assert clock.now_dt() == datetime(2026, 1, 1, tzinfo=UTC)


def test_fault_latency_and_retry_after_are_bounded() -> None:
    injector = FaultInjector()
    for spec in ("*=latency:seconds=inf", "*=latency:seconds=nan", "*=latency:seconds=601"):
        with pytest.raises(ValueError, match="seconds must be between 0 and 600"):
            injector.add_from_dict(parse_fault_spec(spec))
    with pytest.raises(ValueError, match="retry_after"):
        injector.add_from_dict({"kind": "throttle", "pattern": "*", "retry_after": 10**20})
    assert injector.rules == []
    rule = injector.add_from_dict(parse_fault_spec("*=latency:seconds=600"))
    assert rule.seconds == 600.0


@pytest.mark.parametrize(
    "user",
    ["dwsbot", {"name": "dwsbot", "password": "x", "domain": "dwsbot-demo"}, ["x"]],
)
async def test_malformed_iam_identities_are_400_in_iam_format(
    client: httpx.AsyncClient, user: object
) -> None:
    resp = await client.post("/v3/auth/tokens", json=_identity(user))
    assert resp.status_code in (400, 401)
    assert set(resp.json()["error"]) == {"code", "message", "title"}
    deep = b'{"auth": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for raw in (
        b'{"auth": {"identity": {"methods": "password"}}}',
        b'{"auth": NaN}',
        b"\xff",
        deep,
    ):
        resp = await client.post("/v3/auth/tokens", content=raw)
        assert resp.status_code == 400 and resp.json()["error"]["code"] == 400


@pytest.mark.parametrize("name", ["abc", "1abc", "snap shot", "snap\u00e9-1", "a" * 65, "ab/cd"])
async def test_snapshot_names_follow_the_reference(
    client: httpx.AsyncClient, state: SimState, name: str
) -> None:
    body = {"snapshot": {"name": name, "cluster_id": by_name(state, "reporting")}}
    resp = await client.post(f"/v1.0/{P}/snapshots", json=body)
    assert (resp.status_code, resp.json()["error_code"]) == (400, "DWS.5056")
    body["snapshot"]["name"] = "Snap_ok-" + "x" * 56
    assert (await client.post(f"/v1.0/{P}/snapshots", json=body)).status_code == 200


async def test_a_trailing_slash_is_no_operation(client: httpx.AsyncClient) -> None:
    """Not the generic responder's canned example for the path without the slash."""
    for path in (
        f"/v1.0/{P}/clusters/",
        f"/v1.0/{P}/clusters//",
        f"/v1/{P}/snapshots/cross-regions/",
    ):
        resp = await client.get(path)
        assert (resp.status_code, resp.json()["error_code"]) == (404, "APIGW.0101"), path
    assert (await client.get(f"/v1/{P}/snapshots/cross-regions")).status_code == 200


@pytest.mark.parametrize("word", ["snapshots", "tags", "nodes", "configurations", "restart"])
async def test_an_id_that_is_a_literal_word_is_no_resource(
    client: httpx.AsyncClient, word: str
) -> None:
    """Such a path misses the core's id route; it must not get a canned example (a cluster
    "dws-1", or a restart that "succeeded") from the generic responder."""
    resp = await client.get(f"/v1.0/{P}/clusters/{word}")
    assert (resp.status_code, resp.json()["error_code"]) == (404, "APIGW.0101")
    resp = await client.post(f"/v1.0/{P}/clusters/{word}/restart", json={"restart": {}})
    assert resp.status_code == 404
