"""The generic responder answers every catalogue operation shaped by the reference tables."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from dws.simulator.generic import (
    GenericResponder,
    extract_example,
    generic_routes,
    load_operations,
    response_for,
    synthesize,
)

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
OPS = load_operations()


def _query_value(kind: str) -> str:
    return "1" if kind.lower() in ("integer", "long") else "x"


def synthetic_request(op: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, Any] | None]:
    """Path, mandatory query and mandatory body of a valid request for `op`."""
    path = op["path"].replace("{project_id}", PROJECT)
    for p in op["path_params"]:
        path = path.replace("{" + p["name"] + "}", f"id-{p['name']}")
    query = {
        p["name"]: _query_value(p["type"]) for p in op["query_params"] if p["mandatory"] is True
    }
    body = synthesize(op["request_body"], op["request_objects"], mandatory_only=True)
    return path, query, body if op["request_body"] else None


@pytest.fixture
async def client() -> Any:
    app = Starlette(routes=generic_routes(PROJECT))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as c:
        yield c


def _top_names(op: dict[str, Any]) -> set[str]:
    return {f["name"] for f in op["response_body"]}


async def test_every_operation_answers_2xx_with_valid_synthetic_params(client: Any) -> None:
    assert len(OPS) == 212
    for op in OPS:
        path, query, body = synthetic_request(op)
        resp = await client.request(op["method"], path, params=query, json=body)
        assert 200 <= resp.status_code < 300, (op["section"], resp.status_code, resp.text)
        expected = next(s["code"] for s in op["status_codes"] if 200 <= s["code"] < 300)
        assert resp.status_code == expected
        if resp.content:
            data = resp.json()
            names = _top_names(op)
            if isinstance(data, dict) and names:
                assert set(data) <= names, op["section"]
                assert names <= set(data), op["section"]


async def test_missing_mandatory_query_parameter_is_400(client: Any) -> None:
    checked = 0
    for op in OPS:
        mandatory = [p["name"] for p in op["query_params"] if p["mandatory"] is True]
        if not mandatory:
            continue
        path, query, body = synthetic_request(op)
        del query[mandatory[0]]
        resp = await client.request(op["method"], path, params=query, json=body)
        assert resp.status_code == 400, op["section"]
        assert resp.json()["error_code"].startswith("DWS.")
        assert mandatory[0] in resp.json()["error_msg"]
        checked += 1
    assert checked >= 20


async def test_missing_mandatory_body_field_is_400(client: Any) -> None:
    checked = 0
    for op in OPS:
        mandatory = [f["name"] for f in op["request_body"] if f["mandatory"] is True]
        if not mandatory or op["section"] == "5.15.12":
            continue
        path, query, body = synthetic_request(op)
        assert body is not None
        del body[mandatory[0]]
        resp = await client.request(op["method"], path, params=query, json=body)
        assert resp.status_code == 400, op["section"]
        assert resp.json()["error_code"] == "DWS.5063"
        checked += 1
    assert checked >= 50


async def test_nested_mandatory_field_and_wrong_type_are_400(client: Any) -> None:
    op = next(o for o in OPS if o["section"] == "5.2.1")  # create cluster
    path, _, body = synthetic_request(op)
    assert body is not None
    del body["cluster"]["name"]
    resp = await client.post(path, json=body)
    assert resp.status_code == 400
    assert "cluster.name" in resp.json()["error_msg"]
    _, _, body = synthetic_request(op)
    assert body is not None
    body["cluster"]["number_of_node"] = {"not": "an integer"}
    resp = await client.post(path, json=body)
    assert resp.status_code == 400


async def test_malformed_json_is_400(client: Any) -> None:
    op = next(o for o in OPS if o["section"] == "5.2.1")
    path, _, _ = synthetic_request(op)
    resp = await client.post(
        path, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "DWS.5065"


async def test_unknown_path_and_wrong_method_are_404(client: Any) -> None:
    resp = await client.get(f"/v1.0/{PROJECT}/no-such-thing")
    assert resp.status_code == 404
    assert resp.json()["error_code"] == "APIGW.0101"
    resp = await client.patch(f"/v1.0/{PROJECT}/clusters")
    assert resp.status_code == 404


def test_literal_segments_win_over_parameters() -> None:
    responder = GenericResponder(PROJECT)
    check = responder.match("GET", f"/v2/{PROJECT}/disaster-recovery/check-name")
    detail = responder.match("GET", f"/v2/{PROJECT}/disaster-recovery/abc")
    assert check is not None and check.section == "5.12.12"
    assert detail is not None and detail.section == "5.12.4"
    assert responder.match("GET", "/v2/other-project/disaster-recovery/abc") is None
    assert responder.match("GET", f"/v2/{PROJECT}/disaster-recovery/") is None


def test_documented_example_is_used_where_it_parses() -> None:
    op = next(o for o in OPS if o["section"] == "5.1.1")
    assert response_for(op) == {
        "availability_zones": [
            {"code": "az1", "name": "AZ1", "status": "available", "public_border_group": "center"}
        ],
        "count": 1,
    }


def test_broken_example_falls_back_to_tables_with_example_values() -> None:
    op = next(o for o in OPS if o["section"] == "5.2.13")  # cluster details, example is broken
    body = response_for(op)
    assert isinstance(body, dict) and set(body) == {"cluster"}
    cluster = body["cluster"]
    assert cluster["id"] == "7d85f602-a948-4a30-afd4-e84f47471c15"
    assert isinstance(cluster["port"], int)
    assert isinstance(cluster["nodes"], list) and isinstance(cluster["nodes"][0], dict)


def test_extract_example_repairs_simple_artefacts() -> None:
    text = 'Status code: 200\n\n{\n "a": 1\n "b": [1, 2,],\n "c": {"d": "x"\n'
    assert extract_example(text) == {"a": 1, "b": [1, 2], "c": {"d": "x"}}
    assert extract_example("Status code: 200\n\nNone") is None
    assert json.dumps(extract_example('"job_id": "j1"')) == '{"job_id": "j1"}'


def test_extract_example_keeps_escaped_quotes_and_wrapped_strings() -> None:
    text = '{\n "q": "say \\"hi\\"\nthere",\n "n": 2\n}'
    assert extract_example(text) == {"q": 'say "hi" there', "n": 2}


def _catalogue_key(op: dict[str, Any]) -> str:
    return op["sdk_operation"] or f"{op['method']} {op['path']}"


async def test_full_simulator_answers_every_non_core_operation_through_auth() -> None:
    """Signed requests through the whole served app (faults, auth, core, /_sim/, generic)."""
    from datetime import UTC, datetime

    from dws.signing import sdk_date, sign
    from dws.simulator import defaults
    from dws.simulator.clock import SimClock
    from dws.simulator.control import simulator_app
    from dws.simulator.registry import HANDLERS
    from dws.simulator.state import SimState

    state = SimState(seed=1, clock=SimClock(speed=0))
    app = simulator_app(state)
    non_core = [op for op in OPS if _catalogue_key(op) not in HANDLERS]
    assert 100 <= len(non_core) < 212
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as c:
        for op in non_core:
            path, query, body = synthetic_request(op)
            request = c.build_request(op["method"], "http://sim" + path, params=query, json=body)
            content = request.read()
            headers = {
                "X-Sdk-Date": sdk_date(datetime.now(UTC)),
                "Host": "sim",
                "Content-Type": "application/json",
            }
            headers["Authorization"] = sign(
                op["method"], str(request.url), headers, content, defaults.AK, defaults.SK
            )
            request.headers.update(headers)
            resp = await c.send(request)
            assert 200 <= resp.status_code < 300, (op["section"], resp.status_code, resp.text)
        unsigned = await c.get(f"http://sim/v2/{PROJECT}/alarm-configs")
        assert unsigned.status_code == 401


async def test_top_level_field_named_like_a_path_parameter_echoes_it(client: Any) -> None:
    resp = await client.get(f"/v1/{PROJECT}/clusters/my-cluster-7/encrypt-info")  # 5.2.51
    assert resp.status_code == 200
    assert resp.json()["cluster_id"] == "my-cluster-7"
