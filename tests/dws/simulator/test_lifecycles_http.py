"""Lifecycles driven over HTTP (ASGI) with the clock moved by the test: restart progress read
through cluster details and the job API, redistribution pause/resume, DR recovery."""

from __future__ import annotations

import httpx

from dws.simulator.state import SimState
from dws.simulator.state.base import START_DELAY
from tests.dws.simulator.support import (
    P,
    by_name,
    check_reference_shape,
    sdk_deserialize,
)


async def test_stop_job_is_readable(state: SimState, client: httpx.AsyncClient) -> None:
    cid = by_name(state, "reporting")
    resp = await client.post(f"/v1/{P}/clusters/{cid}/stop")
    job_id = resp.json()["job_id"]
    job = (await client.get(f"/v1.0/{P}/job/{job_id}")).json()
    assert (job["status"], job["progress"]) == ("RUNNING", "0%")  # the job exists at once
    detail = (await client.get(f"/v1.0/{P}/clusters/{cid}")).json()["cluster"]
    assert detail["status"] == "AVAILABLE"  # the stop has not started yet
    state.advance(START_DELAY + 60)
    job = (await client.get(f"/v1.0/{P}/job/{job_id}")).json()
    check_reference_shape("list_job_details", job)
    sdk_deserialize("ListJobDetailsResponse", job)
    done = int((START_DELAY + 60) / (START_DELAY + 120) * 100)  # the job spans the delay
    assert (job["status"], job["progress"], job["end_time"]) == ("RUNNING", f"{done}%", None)
    state.advance(60)
    job = (await client.get(f"/v1.0/{P}/job/{job_id}")).json()
    assert (job["status"], job["progress"]) == ("SUCCESS", "100%")
    detail = (await client.get(f"/v1.0/{P}/clusters/{cid}")).json()["cluster"]
    assert detail["status"] == "STOPPED"
    assert {n["status"] for n in detail["nodes"]} == {"300"}


async def test_restart_seen_through_cluster_details(
    state: SimState, client: httpx.AsyncClient
) -> None:
    cid = by_name(state, "reporting")
    assert (
        await client.post(f"/v1.0/{P}/clusters/{cid}/restart", json={"restart": {}})
    ).json() == {}
    detail = (await client.get(f"/v1.0/{P}/clusters/{cid}")).json()["cluster"]
    assert (detail["task_status"], detail["action_progress"]) == (None, {})  # not started yet
    state.advance(START_DELAY)
    seen = []
    for _ in range(3):
        detail = (await client.get(f"/v1.0/{P}/clusters/{cid}")).json()["cluster"]
        seen.append((detail["task_status"], detail["action_progress"]))
        state.advance(50)
    assert seen == [
        ("REBOOTING", {"REBOOTING": "0%"}),
        ("REBOOTING", {"REBOOTING": "41%"}),
        ("REBOOTING", {"REBOOTING": "83%"}),
    ]
    detail = (await client.get(f"/v1.0/{P}/clusters/{cid}")).json()["cluster"]
    assert (detail["task_status"], detail["action_progress"]) == (None, {})
    events = (await client.get(f"/v2/{P}/events", params={"limit": 2})).json()["events"]
    assert [e["name"] for e in events] == ["rebootClusterSuccess", "rebootClusterStart"]
    assert events[0]["source_id"] == cid and events[0]["context"] == (
        "Cluster reporting restarted successfully."
    )


async def test_redistribution_pause_resume(state: SimState, client: httpx.AsyncClient) -> None:
    cid = by_name(state, "reporting")
    base = f"/v2/{P}/clusters/{cid}/redistribution"
    resp = await client.post(f"{base}/suspend")
    assert resp.status_code == 400 and resp.json()["error_code"] == "DWS.5045"
    await client.post(f"/v1.0/{P}/clusters/{cid}/resize", json={"scale_out": {"count": 3}})
    state.advance(START_DELAY + 600 + 300)
    info = (await client.get(base)).json()
    check_reference_shape("show_cluster_redistribution", info)
    sdk_deserialize("ShowClusterRedistributionResponse", info)
    assert info["redis_info"]["redis_process"]["total_progress"] == 33
    assert info["pause_enable"] is True
    paused = await client.post(f"{base}/suspend")
    check_reference_shape("stop_redistribution", paused.json())
    assert paused.json()["error_code"] == "DWS.0000"
    state.advance(1000)
    info = (await client.get(base)).json()
    assert info["redis_info"]["redis_process"]["pause_by_user"] is True
    assert info["recover_enable"] is True
    detail = (await client.get(f"/v1.0/{P}/clusters/{cid}")).json()["cluster"]
    assert detail["task_status"] == "REDISTRIBUTION_PAUSED"
    resumed = await client.post(f"{base}/recovery")
    check_reference_shape("restore_redistribution", resumed.json())
    state.advance(600)
    detail = (await client.get(f"/v1.0/{P}/clusters/{cid}")).json()["cluster"]
    assert (detail["task_status"], detail["sub_status"], detail["number_of_node"]) == (
        None,
        "NORMAL",
        6,
    )


async def test_execute_redistribution_after_idle_nodes(
    state: SimState, client: httpx.AsyncClient
) -> None:
    cid = by_name(state, "reporting")
    await client.post(
        f"/v1.0/{P}/clusters/{cid}/resize",
        json={"scale_out": {"count": 3}, "create_node_only": True},
    )
    state.advance(START_DELAY + 600)
    resp = await client.post(
        f"/v2/{P}/clusters/{cid}/redistribution", json={"redis_mode": "offline", "parallel_jobs": 8}
    )
    assert resp.status_code == 200
    check_reference_shape("execute_redistribution_cluster", resp.json())
    state.advance(START_DELAY)
    info = (await client.get(f"/v2/{P}/clusters/{cid}/redistribution")).json()
    assert info["redis_info"]["redis_conf"]["redis_mode"] == "offline"
    assert info["redis_info"]["redis_conf"]["parallel_jobs"] == 8


async def test_dr_failover_and_recovery(state: SimState, client: httpx.AsyncClient) -> None:
    dr_id = next(iter(state.dr_tasks))
    base = f"/v2/{P}/disaster-recovery/{dr_id}"
    resp = await client.post(f"{base}/recovery")
    assert resp.status_code == 400
    await client.post(f"{base}/failover")
    state.advance(START_DELAY + 180)
    detail = (await client.get(base)).json()["disaster_recovery"]
    assert detail["status"] == "abnormal"
    resp = await client.post(f"{base}/recovery")
    check_reference_shape("restore_disaster", resp.json())
    sdk_deserialize("RestoreDisasterResponse", resp.json())
    state.advance(START_DELAY + 300)
    detail = (await client.get(base)).json()["disaster_recovery"]
    assert (detail["status"], detail["primary_cluster"]["progress"]) == ("starting", "50")
    progress = (await client.get(f"/v1/{P}/disaster-recovery/{dr_id}/show-progress")).json()
    assert progress["disaster_recovery_progress"]["primary_cluster"]["action_end_time"] is None
    state.advance(300)
    detail = (await client.get(base)).json()["disaster_recovery"]
    assert detail["status"] == "running"


async def test_delete_cluster_emits_delete_event(
    state: SimState, client: httpx.AsyncClient
) -> None:
    cid = by_name(state, "dev-sandbox")
    resp = await client.request(
        "DELETE", f"/v1.0/{P}/clusters/{cid}", json={"keep_last_manual_snapshot": 0}
    )
    assert resp.status_code == 202
    assert (await client.get(f"/v1.0/{P}/clusters/{cid}")).json()["cluster"]["status"] == (
        "STOPPED"
    )  # accepted; the deletion starts a few seconds later
    state.advance(START_DELAY + 60)
    assert (await client.get(f"/v1.0/{P}/clusters/{cid}")).status_code == 404
    event = (await client.get(f"/v2/{P}/events", params={"limit": 1})).json()["events"][0]
    check_reference_shape("list_events", {"events": [event], "count": 1})
    assert (event["name"], event["source_id"], event["source_name"]) == (
        "deleteClusterSuccess",
        cid,
        "dev-sandbox",
    )
    assert event["display_name"] == "Cluster deleted successfully."


async def test_dr_stop_start_and_delete(state: SimState, client: httpx.AsyncClient) -> None:
    dr_id = next(iter(state.dr_tasks))
    primary = state.dr_tasks[dr_id].primary_id
    base = f"/v2/{P}/disaster-recovery/{dr_id}"
    # a running task can be neither started nor deleted
    assert (await client.post(f"{base}/start")).json()["error_code"] == "DWS.5045"
    assert (await client.delete(base)).json()["error_code"] == "DWS.5045"
    body = {"disaster_recovery": {"dr_sync_period": "3H"}}
    assert (await client.put(base, json=body)).json()["error_code"] == "DWS.5045"
    resp = await client.post(f"{base}/pause")
    assert resp.json() == {"disaster_recovery": {"id": dr_id}}
    sdk_deserialize("PauseDisasterRecoveryResponse", resp.json())
    state.advance(START_DELAY)
    assert (await client.get(base)).json()["disaster_recovery"]["status"] == "stopping"
    state.advance(60)
    assert (await client.get(base)).json()["disaster_recovery"]["status"] == "stopped"
    for period in ("0m", "3001H", "5s", "5"):
        body = {"disaster_recovery": {"dr_sync_period": period}}
        assert (await client.put(base, json=body)).json()["error_code"] == "DWS.5038"
    resp = await client.put(base, json={"disaster_recovery": {"dr_sync_period": "3H"}})
    assert resp.json() == {"disaster_recovery": {"id": dr_id}}
    sdk_deserialize("UpdateDisasterInfoResponse", resp.json())
    detail = (await client.get(base)).json()["disaster_recovery"]
    assert detail["dr_sync_period"] == "3H"
    resp = await client.post(f"{base}/start")
    sdk_deserialize("StartDisasterRecoveryResponse", resp.json())
    state.advance(START_DELAY + 120)
    assert (await client.get(base)).json()["disaster_recovery"]["status"] == "running"
    await client.post(f"{base}/pause")
    state.advance(START_DELAY + 60)
    resp = await client.delete(base)
    assert resp.status_code == 200
    assert (await client.get(base)).status_code == 404
    events = (await client.get(f"/v2/{P}/events", params={"limit": 7})).json()["events"]
    assert [e["name"] for e in events] == [
        "deleteDisasterRecoverySuccess",
        "pauseDisasterRecoverySuccess",
        "pauseDisasterRecoveryStart",
        "startDisasterRecoverySuccess",
        "startDisasterRecoveryStart",
        "pauseDisasterRecoverySuccess",
        "pauseDisasterRecoveryStart",
    ]
    assert {e["source_type"] for e in events} == {"disaster-recovery"}
    # the primary is free of the pair now: it can be restarted
    resp = await client.post(f"/v1.0/{P}/clusters/{primary}/restart", json={"restart": {}})
    assert resp.status_code == 200
