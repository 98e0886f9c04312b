"""Bad input never gets a 500: every core operation, fed wrong types, missing fields and odd
query values, answers 4xx in the DWS error format (or succeeds where the value is acceptable)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from dws.simulator.app import create_app
from dws.simulator.catalogue import operation
from dws.simulator.registry import HANDLERS
from tests.dws.simulator.support import P, by_name, frozen_state
from tests.dws.simulator.test_routes import PREPARED, _requests

ODD_VALUES: list[Any] = [None, 1, -1, "x", "", [], [1], {}, {"k": "v"}, True, 1.5]
ODD_QUERY = ["x", "-1", "0", "99999999999999999999", ""]


def _url(op_name: str, state: Any) -> str:
    cid = by_name(state, "reporting")
    ids = {
        "cluster_id": cid,
        "snapshot_id": state.snapshots_by_cluster[cid][0],
        "configuration_id": state.configurations(cid)[1][-1][0],
        "disaster_recovery_id": next(iter(state.dr_tasks)),
        "event_sub_id": next(iter(state.event_subs)),
        "alarm_sub_id": next(iter(state.alarm_subs)),
        "job_id": "0" * 32,
        "metric_name": "QueryStat",
    }
    return operation(op_name)["path"].format(project_id=P, **ids)


def _assert_dws_4xx_or_ok(resp: httpx.Response) -> None:
    assert resp.status_code < 500, resp.text
    if resp.status_code >= 400:
        body = resp.json()
        assert body["error_code"].startswith("DWS.") and body["error_msg"]


@pytest.mark.parametrize("op_name", sorted(HANDLERS))
async def test_odd_bodies_and_queries(op_name: str) -> None:
    op = operation(op_name)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(frozen_state())), base_url="http://sim"
    ) as client:
        state = client._transport.app.state.sim  # type: ignore[attr-defined]
        url = _url(op_name, state)
        bodies: list[Any] = ["not json", "[]", '"x"', "{}"]
        for field in op["request_body"]:
            bodies += [json.dumps({field["name"]: v}) for v in ODD_VALUES]
        if op["request_body"]:
            for raw in bodies:
                resp = await client.request(op["method"], url, content=raw)
                _assert_dws_4xx_or_ok(resp)
        for param in op["query_params"]:
            for value in ODD_QUERY:
                resp = await client.request(op["method"], url, params={param["name"]: value})
                _assert_dws_4xx_or_ok(resp)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))] or [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))] or [path]
    return [path]


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return copy


WITH_BODY = sorted(n for n in HANDLERS if operation(n)["request_body"] and n not in PREPARED)


@pytest.mark.parametrize("op_name", WITH_BODY)
async def test_each_nested_field_mistyped(op_name: str) -> None:
    spec = _requests(frozen_state())[op_name]
    assert spec is not None
    path_params, query, body = spec
    op = operation(op_name)
    for leaf in _leaves(body):
        for odd in ODD_VALUES:
            state = frozen_state()
            app = create_app(state)
            url = op["path"].format(project_id=P, **path_params)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://sim"
            ) as client:
                resp = await client.request(
                    op["method"], url, params=query, json=_replace(body, leaf, odd)
                )
            _assert_dws_4xx_or_ok(resp)
