"""Rendering of disaster-recovery tasks into the reference's response objects (5.12):
DisasterRecovery, DisasterRecoveryQueryResp and ClusterDisasterRecovery."""

from __future__ import annotations

from typing import Any

from dws.simulator.state.base import iso_plain, spaced
from dws.simulator.state.core import SimState
from dws.simulator.state.models import DrTask

Json = dict[str, Any]


def _dr_side(state: SimState, dr: DrTask, role: str) -> tuple[str, str, str]:
    cid = dr.primary_id if role == "primary" else dr.standby_id
    cluster = state.clusters.get(cid)
    return cid, cluster.name if cluster else cid, cluster.availability_zone if cluster else ""


def disaster_recovery(state: SimState, dr: DrTask) -> Json:
    """DisasterRecovery (list_disaster_recover)."""
    pid, pname, _ = _dr_side(state, dr, "primary")
    sid, sname, _ = _dr_side(state, dr, "standby")
    return {
        "id": dr.id,
        "name": dr.name,
        "dr_type": dr.dr_type,
        "status": dr.status,
        "primary_cluster_id": pid,
        "primary_cluster_name": pname,
        "standby_cluster_id": sid,
        "standby_cluster_name": sname,
        "primary_cluster_role": "primary",
        "standby_cluster_role": "standby",
        "primary_cluster_status": state.dr_cluster_status(dr, "primary"),
        "standby_cluster_status": state.dr_cluster_status(dr, "standby"),
        "primary_cluster_region": state.region,
        "standby_cluster_region": state.region,
        "primary_cluster_project_id": state.project_id,
        "standby_cluster_project_id": state.project_id,
        "last_disaster_time": iso_plain(dr.last_sync) if dr.last_sync else None,
        "start_time": iso_plain(dr.started) if dr.started else None,
        "create_time": iso_plain(dr.created),
    }


def dr_progress_pct(state: SimState, dr: DrTask) -> str:
    """DR progress of the running action ("100" when idle)."""
    task = dr.task
    return str(task.progress(state.now())) if task and task.begun(state.now()) else "100"


def disaster_detail(state: SimState, dr: DrTask) -> Json:
    """DisasterRecoveryQueryResp (show_disaster_detail)."""

    def side(role: str) -> Json:
        cid, name, az = _dr_side(state, dr, role)
        return {
            "id": cid,
            "name": name,
            "cluster_az": az,
            "role": role,
            "region": state.region,
            "status": state.dr_cluster_status(dr, role),
            "progress": dr_progress_pct(state, dr),
            "last_success_time": iso_plain(dr.last_sync) if dr.last_sync else None,
            "obs_bucket_name": None,
        }

    return {
        "id": dr.id,
        "name": dr.name,
        "dr_type": dr.dr_type,
        "status": dr.status,
        "primary_cluster": side("primary"),
        "standby_cluster": side("standby"),
        "dr_sync_period": dr.sync_period,
        "start_time": iso_plain(dr.started) if dr.started else None,
        "create_time": iso_plain(dr.created),
    }


def disaster_progress(state: SimState, dr: DrTask) -> Json:
    """ClusterDisasterRecovery (show_disaster_progress)."""
    last = dr.last_sync or dr.created
    key = iso_plain(last).replace("-", "").replace(":", "").replace("T", "_")
    running = dr.task is not None and dr.task.begun(state.now())
    begin = dr.task.started if dr.task is not None and running else last

    def side(action: str) -> Json:
        return {
            "key": key,
            "action_type": action,
            "unrestore_keys": key if running and action == "Restore" else "N/A",
            "action_start_time": spaced(begin),
            "action_end_time": None if running else spaced(last + 60),
        }

    return {
        "primary_cluster": side("Backup"),
        "standby_cluster": side("Restore"),
        "latest_barrier_time": spaced(last),
        "last_recovery_spend": 30,
        "recovery_point_object": int(max(0, state.now() - last)),
        "recovery_time_object": 600,
    }
