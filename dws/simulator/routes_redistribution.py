"""HTTP handlers of scale-out and data redistribution (5.2.23, 5.2.24, 5.2.27, 5.2.31, 5.2.32)."""

from __future__ import annotations

from typing import Any

from dws.simulator.registry import Call, Reply, handles, record_window
from dws.simulator.state import SimState
from dws.simulator.state.base import iso_plain
from dws.simulator.state.models import Cluster

OK_CODES = {
    "errCode": "DWS.0000",
    "externalMessage": "Request successfully processed.",
    "error_code": "DWS.0000",
    "error_msg": "Request successfully processed.",
    "retCode": None,
    "retMessage": None,
}
TABLES = 40  # tables a simulated redistribution moves
TABLE_BYTES = 2**30


@handles("resize_cluster")
def resize_cluster(state: SimState, call: Call) -> Reply:
    """5.2.27 Expanding Cluster Capacity/Adding Idle Nodes."""
    scale_out = call.body["scale_out"]
    create_node_only = bool(call.body.get("create_node_only", False))
    state.resize_cluster(call.path["cluster_id"], int(scale_out["count"]), create_node_only)
    return 200, {}


@handles("execute_redistribution_cluster")
def execute_redistribution(state: SimState, call: Call) -> Reply:
    """5.2.31 Delivering Redistribution."""
    mode, jobs = str(call.body["redis_mode"]), int(call.body["parallel_jobs"])
    state.execute_redistribution(call.path["cluster_id"], mode, jobs)
    return 200, {}


@handles("stop_redistribution")
def stop_redistribution(state: SimState, call: Call) -> Reply:
    """5.2.24 Suspending Redistribution."""
    state.pause_redistribution(call.path["cluster_id"])
    return 200, dict(OK_CODES)


@handles("restore_redistribution")
def restore_redistribution(state: SimState, call: Call) -> Reply:
    """5.2.23 Resuming Redistribution."""
    state.resume_redistribution(call.path["cluster_id"])
    return 200, dict(OK_CODES)


def _progress(state: SimState, cluster: Cluster) -> tuple[bool, bool, int, str]:
    """(running, paused, percent, status) of the cluster's redistribution."""
    task, redis = cluster.task, cluster.redistribution
    if task is not None and task.kind == "REDISTRIBUTING" and task.begun(state.now()):
        paused = task.paused_at is not None
        return True, paused, task.progress(state.now()), "PAUSED" if paused else "RUNNING"
    return False, False, 100 if redis else 0, "FINISHED" if redis else ""


def _process(running: bool, paused: bool, pct: int, status: str, started: bool) -> dict[str, Any]:
    done = TABLES * pct // 100
    return {
        "bytes_done": done * TABLE_BYTES,
        "byte_left": (TABLES - done) * TABLE_BYTES,
        "tables_done": done,
        "tables_left": TABLES - done,
        "table_progress": pct,
        "total_progress": pct,
        "redis_rate": "51200 KB/s" if running and not paused else "0 KB/s",
        "estimated_time": None,
        "completed": started and not running,
        "initialed": started,
        "fail_count": 0,
        "redistributing": running and not paused,
        "status": status or None,
        "pause_by_user": paused,
    }


@handles("show_cluster_redistribution")
def show_cluster_redistribution(state: SimState, call: Call) -> Reply:
    """5.2.32 Querying Redistribution Details."""
    cluster = state.get_cluster(call.path["cluster_id"])
    record_window(call)
    redis = cluster.redistribution or {}
    running, paused, pct, status = _progress(state, cluster)
    info = {
        "id": None,
        "cluster_id": cluster.id,
        "start_time": iso_plain(redis["start"]) if redis else "",
        "end_time": iso_plain(redis["end"]) if redis.get("end") else "",
        "status": status,
        "redis_conf": {
            "redis_mode": redis.get("mode", "online"),
            "schedule_conf": None,
            "parallel_jobs": redis.get("parallel_jobs"),
            "parallel_job": redis.get("parallel_jobs"),
        },
        "redis_process": _process(running, paused, pct, status, bool(redis)),
        "redis_table_detail": {"data": [], "total": 0},
    }
    return 200, {
        "redis_info": info,
        "schedule_mode": False,
        "pause_enable": running and not paused,
        "recover_enable": paused,
        "retry_enable": False,
        "update_enable": False,
        "control_enable": running,
        "error_code": "DWS.0000",
        "error_msg": None,
    }
