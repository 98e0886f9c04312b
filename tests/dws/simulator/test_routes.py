"""Every core operation over HTTP (ASGI): answers shaped by the reference tables and readable by
the official SDK's models; errors in the DWS format."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dws.simulator.catalogue import operation
from dws.simulator.registry import HANDLERS
from dws.simulator.state import SimState
from tests.dws.simulator.support import (
    P,
    by_name,
    check_reference_shape,
    frozen_state,
    sdk_deserialize,
)


def _requests(state: SimState) -> dict[str, tuple[dict[str, str], dict[str, Any], Any] | None]:
    """op name -> (path params, query, body) of a valid call on the demo fleet."""
    cid = by_name(state, "reporting")
    ro = by_name(state, "analytics")
    unbalanced = by_name(state, "etl-batch")
    stopped = by_name(state, "dev-sandbox")
    dr = next(iter(state.dr_tasks))
    snap = state.snapshots_by_cluster[cid][0]
    config = state.configurations(cid)[1][-1][0]
    ms = int(state.now() * 1000)
    pwd = "Secure#Passw0rd1"
    topic = {
        "notification_target": "urn:smn:x:y:z",
        "notification_target_name": "z",
        "notification_target_type": "SMN",
    }
    new = {
        "node_type": "dws.d2.xlarge",
        "number_of_node": 3,
        "subnet_id": "s",
        "security_group_id": "g",
        "vpc_id": "v",
        "name": "new-cluster",
        "user_name": "dbadmin",
        "user_pwd": pwd,
    }
    c = {"cluster_id": cid}
    return {
        "list_availability_zones": ({}, {}, None),
        "list_node_types": ({}, {}, None),
        "list_clusters": ({}, {}, None),
        "list_cluster_details": (c, {}, None),
        "create_cluster": ({}, {}, {"cluster": new}),
        "create_cluster_v2": (
            {},
            {},
            {
                "cluster": {
                    "name": "new-cluster-2",
                    "flavor": "dws.d2.xlarge",
                    "num_cn": 3,
                    "num_node": 3,
                    "db_name": "dbadmin",
                    "db_password": pwd,
                    "db_port": 8000,
                    "availability_zones": [state.availability_zones[0]],
                    "vpc_id": "v",
                    "subnet_id": "s",
                    "datastore_version": "8.2.1.220",
                }
            },
        ),
        "delete_cluster": ({"cluster_id": stopped}, {}, {"keep_last_manual_snapshot": 1}),
        "delete_dws_cluster": ({"cluster_id": stopped}, {"keep_last_manual_backup": "0"}, None),
        "list_cluster_nodes": (c, {"offset": "0", "limit": "2"}, None),
        "list_cluster_cn": (c, {}, None),
        "restart_cluster": (c, {}, {"restart": {}}),
        "start_cluster": ({"cluster_id": stopped}, {}, None),
        "stop_cluster": (c, {}, None),
        "resize_cluster": (c, {}, {"scale_out": {"count": 3}}),
        "show_cluster_redistribution": (c, {}, None),
        "stop_redistribution": None,  # covered by the lifecycle tests (needs a running one)
        "restore_redistribution": None,
        "execute_redistribution_cluster": None,
        "switch_over_cluster": ({"cluster_id": unbalanced}, {}, None),
        "cancel_readonly_cluster": ({"cluster_id": ro}, {}, None),
        "reset_password": (c, {}, {"new_password": pwd}),
        "list_cluster_configurations": (c, {}, None),
        "list_cluster_configurations_parameter": ({**c, "configuration_id": config}, {}, None),
        "update_configuration": (
            {**c, "configuration_id": config},
            {},
            {"configurations": [{"type": "CN", "name": "session_timeout", "value": "900"}]},
        ),
        "list_snapshots": ({}, {}, None),
        "list_snapshot_details": ({"snapshot_id": snap}, {}, None),
        "list_cluster_snapshots": (c, {"limit": "2"}, None),
        "create_snapshot": ({}, {}, {"snapshot": {"name": "manual-1", "cluster_id": cid}}),
        "delete_snapshot": ({"snapshot_id": snap}, {}, None),
        "restore_cluster": ({"snapshot_id": snap}, {}, {"restore": {"name": "restored-1"}}),
        "list_snapshot_policy": (c, {}, None),
        "list_events": ({}, {"offset": "1", "limit": "5"}, None),
        "list_event_specs": ({}, {"category": "management"}, None),
        "list_event_subs": ({}, {}, None),
        "create_event_sub": ({}, {}, {"name": "sub-1", **topic}),
        "update_event_sub": (
            {"event_sub_id": next(iter(state.event_subs))},
            {},
            {"name": "sub-2", "severity": "warning", **topic},
        ),
        "delete_event_sub": ({"event_sub_id": next(iter(state.event_subs))}, {}, None),
        "list_alarm_detail": ({}, {"time_zone": "GMT+08:00"}, None),
        "list_alarm_configs": ({}, {}, None),
        "list_alarm_statistic": ({}, {"time_zone": "GMT+08:00"}, None),
        "list_alarm_subs": ({}, {}, None),
        "create_alarm_sub": ({}, {}, {"name": "a-1", "time_zone": "GMT+08:00", **topic}),
        "update_alarm_sub": (
            {"alarm_sub_id": next(iter(state.alarm_subs))},
            {},
            {"name": "a-2", "alarm_level": "urgent", **topic},
        ),
        "delete_alarm_sub": ({"alarm_sub_id": next(iter(state.alarm_subs))}, {}, None),
        "list_disaster_recover": ({}, {}, None),
        "show_disaster_detail": ({"disaster_recovery_id": dr}, {}, None),
        "show_disaster_progress": ({"disaster_recovery_id": dr}, {}, None),
        "switchover_disaster_recovery": ({"disaster_recovery_id": dr}, {}, None),
        "switch_failover_disaster": ({"disaster_recovery_id": dr}, {}, None),
        "restore_disaster": None,  # needs an abnormal pair: lifecycle tests
        "pause_disaster_recovery": ({"disaster_recovery_id": dr}, {}, None),
        "start_disaster_recovery": None,  # needs a stopped pair: lifecycle tests
        "delete_disaster_recovery": None,  # needs a stopped pair: lifecycle tests
        "update_disaster_info": None,  # needs a stopped pair: lifecycle tests
        "list_job_details": None,  # needs a job: lifecycle tests
        "list_quotas": ({}, {}, None),
        "list_cluster_tags": (c, {}, None),
        "list_tags": ({}, {}, None),
        "batch_create_resource_tag": (c, {}, {"tags": [{"key": "owner", "value": "me"}]}),
        "batch_delete_resource_tag": (c, {}, {"tags": [{"key": "env", "value": "dev"}]}),
        "list_host_overview": ({}, {"cluster_id": cid, "limit": "10", "offset": "0"}, None),
        "list_host_disk": ({}, {"cluster_id": cid, "limit": "10", "offset": "0"}, None),
        "list_monitor_indicator_data": (
            {},
            {"from": str(ms - 3600_000), "to": str(ms), "indicator_name": "cpu_usage", "dim0": cid},
            None,
        ),
        "list_metrics": (c, {"offset": "0", "limit": "10"}, None),
        "list_metrics_data": (
            {**c, "metric_name": "QueryStat"},
            {"offset": "0", "limit": "10", "from": str(ms - 3600_000), "to": str(ms)},
            None,
        ),
        "list_queries": (
            c,
            {},
            {
                "cluster_id": cid,
                "project_id": P,
                "offset": "0",
                "limit": "10",
                "conditions": [],
                "target": "db_queries",
            },
        ),
    }


def _url(op_name: str, path: dict[str, str]) -> str:
    return operation(op_name)["path"].format(project_id=P, **path)


def _response_class(op_name: str) -> str:
    return "".join(part.title() for part in op_name.split("_")) + "Response"


def test_every_core_operation_has_a_request_here() -> None:
    requests = _requests(frozen_state())
    assert set(HANDLERS) == set(requests)
    assert {name for name, spec in requests.items() if spec is None} == PREPARED


# Operations that need a prepared state; their shapes are checked in test_lifecycles_http.
PREPARED = {
    "stop_redistribution",
    "restore_redistribution",
    "execute_redistribution_cluster",
    "restore_disaster",
    "start_disaster_recovery",
    "delete_disaster_recovery",
    "update_disaster_info",
    "list_job_details",
}


@pytest.mark.parametrize("op_name", sorted(set(HANDLERS) - PREPARED))
async def test_operation_answers_in_reference_shape(
    op_name: str, state: SimState, client: httpx.AsyncClient
) -> None:
    spec = _requests(state)[op_name]
    assert spec is not None
    path, query, body = spec
    op = operation(op_name)
    resp = await client.request(op["method"], _url(op_name, path), params=query, json=body)
    assert resp.status_code in (200, 202), resp.text
    assert resp.headers["X-Request-Id"]
    payload = resp.json()
    check_reference_shape(op_name, payload)
    if op["sdk_operation"] and not isinstance(payload, list):
        sdk_deserialize(_response_class(op_name), payload)


async def test_cluster_detail_values(state: SimState, client: httpx.AsyncClient) -> None:
    cid = by_name(state, "analytics")
    resp = await client.get(f"/v1.0/{P}/clusters/{cid}")
    detail = resp.json()["cluster"]
    cluster = state.clusters[cid]
    assert detail["name"] == "analytics"
    assert detail["sub_status"] == "READONLY"
    assert detail["number_of_node"] == cluster.number_of_node == len(detail["nodes"])
    assert detail["recent_event"] == state.events.count(cid) > 0
    assert detail["node_type"] == cluster.node_type.spec_name
    assert detail["task_status"] is None and detail["action_progress"] == {}


async def test_list_clusters_shows_the_demo_states(client: httpx.AsyncClient) -> None:
    clusters = (await client.get(f"/v1.0/{P}/clusters")).json()["clusters"]
    states = {c["name"]: (c["status"], c["sub_status"]) for c in clusters}
    assert states["analytics"] == ("AVAILABLE", "READONLY")
    assert states["etl-batch"] == ("AVAILABLE", "UNBALANCED")
    assert states["dev-sandbox"] == ("STOPPED", "NORMAL")
    assert len({c["version"] for c in clusters}) >= 4


async def test_events_offset_is_the_page_number(state: SimState, client: httpx.AsyncClient) -> None:
    first = (await client.get(f"/v2/{P}/events", params={"offset": 1, "limit": 4})).json()
    second = (await client.get(f"/v2/{P}/events", params={"offset": 2, "limit": 4})).json()
    assert first["count"] == second["count"] == len(state.events)
    times = [e["occur_time"] for e in first["events"] + second["events"]]
    assert times == sorted(times, reverse=True)
    assert not {e["event_id"] for e in first["events"]} & {e["event_id"] for e in second["events"]}
    page0 = (await client.get(f"/v2/{P}/events", params={"offset": 0, "limit": 4})).json()
    assert page0["events"] == first["events"]
    beyond = (await client.get(f"/v2/{P}/events", params={"offset": 999, "limit": 4})).json()
    assert beyond["events"] == [] and beyond["count"] == len(state.events)


async def test_events_filtered_by_source(state: SimState, client: httpx.AsyncClient) -> None:
    cid = by_name(state, "etl-batch")
    data = (await client.get(f"/v2/{P}/events", params={"source_id": cid})).json()
    assert data["count"] == state.events.count(cid)
    assert {e["source_id"] for e in data["events"]} == {cid}


async def test_cluster_nodes_paging(state: SimState, client: httpx.AsyncClient) -> None:
    cid = by_name(state, "prod-dw")
    url = f"/v2/{P}/clusters/{cid}/nodes"
    full = (await client.get(url)).json()
    part = (await client.get(url, params={"offset": 2, "limit": 3})).json()
    assert full["count"] == part["count"] == 6
    assert part["node_list"] == full["node_list"][2:5]


@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("GET", f"/v1.0/{P}/clusters/3c0f2e43-0000-4000-8000-000000000000", 404, "DWS.0015"),
        ("GET", f"/v1.0/{P}/snapshots/3c0f2e43-0000-4000-8000-000000000000", 404, "DWS.5111"),
        ("GET", f"/v1.0/{P}/job/0123456789abcdef0123456789abcdef", 404, "DWS.0015"),
        ("GET", f"/v2/{P}/disaster-recovery/3c0f2e43-0000-4000-8000-0000000000aa", 404, "DWS.0015"),
        ("GET", "/v1.0/ffffffffffffffffffffffffffffffff/clusters", 403, "DWS.5045"),
        ("GET", f"/v2/{P}/alarms", 400, "DWS.5063"),
        ("GET", f"/v2/{P}/events?limit=abc", 400, "DWS.5063"),
        ("GET", f"/v2/{P}/events?limit=5000", 400, "DWS.5060"),
        ("GET", f"/v1.0/{P}/dms/host-overview?limit=1", 400, "DWS.5063"),
    ],
)
async def test_errors_in_dws_format(
    client: httpx.AsyncClient, method: str, url: str, status: int, code: str
) -> None:
    resp = await client.request(method, url)
    assert resp.status_code == status
    assert resp.json()["error_code"] == code
    assert resp.json()["error_msg"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "DWS.5065"),
        (b"[1, 2]", "DWS.5065"),
        (b"{}", "DWS.5063"),
        (b'{"snapshot": "x"}', "DWS.5063"),
        (b'{"snapshot": {"name": "abcd"}}', "DWS.5063"),
        (b'{"snapshot": {"name": ["a"], "cluster_id": "x"}}', "DWS.5063"),
    ],
)
async def test_bad_bodies_are_400(client: httpx.AsyncClient, body: bytes, code: str) -> None:
    resp = await client.post(
        f"/v1.0/{P}/snapshots", content=body, headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 400
    assert resp.json()["error_code"] == code


async def test_wrong_integer_type_is_400(state: SimState, client: httpx.AsyncClient) -> None:
    cid = by_name(state, "reporting")
    resp = await client.post(
        f"/v1.0/{P}/clusters/{cid}/resize", json={"scale_out": {"count": "three"}}
    )
    assert resp.status_code == 400
    assert "count" in resp.json()["error_msg"]


async def test_request_log_records_every_answer(state: SimState, client: httpx.AsyncClient) -> None:
    await client.get(f"/v1.0/{P}/clusters")
    await client.get(f"/v1.0/{P}/clusters/missing-id")
    log = list(state.request_log)[-2:]
    assert [(r.method, r.status) for r in log] == [("GET", 200), ("GET", 404)]
    assert log[1].path.endswith("/clusters/missing-id")


async def test_cached_answers_follow_changes(state: SimState, client: httpx.AsyncClient) -> None:
    cid = by_name(state, "reporting")

    async def tags() -> dict[str, str]:
        clusters = (await client.get(f"/v1.0/{P}/clusters")).json()["clusters"]
        listed = next(c for c in clusters if c["id"] == cid)
        detail = (await client.get(f"/v1.0/{P}/clusters/{cid}")).json()["cluster"]
        assert detail["tags"] == listed["tags"]
        return {t["key"]: t["value"] for t in listed["tags"]}

    assert "owner" not in await tags()
    await client.post(
        f"/v1.0/{P}/clusters/{cid}/tags/batch-create",
        json={"tags": [{"key": "owner", "value": "x"}]},
    )
    assert (await tags())["owner"] == "x"
    before = (await client.get(f"/v1.0/{P}/clusters/{cid}")).json()["cluster"]["recent_event"]
    state.emit_event("clusterReadonly", cid)
    after = (await client.get(f"/v1.0/{P}/clusters/{cid}")).json()["cluster"]["recent_event"]
    assert after == before + 1
