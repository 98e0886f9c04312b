"""HTTP handlers of snapshot operations (5.3 of the reference)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dws.simulator import views
from dws.simulator.errors import bad_request
from dws.simulator.registry import Call, Reply, handles, record_window
from dws.simulator.state import SimState
from dws.simulator.state.base import iso_plain
from dws.simulator.state.models import derived_id

SORT_KEYS = {"name": "name", "clusterName": "cluster_name", "startTime": "started"}


@handles("list_snapshots")
def list_snapshots(state: SimState, call: Call) -> Reply:
    """5.3.3 Querying the Snapshot List."""
    state.tick()
    snaps = sorted(state.snapshots.values(), key=lambda s: s.started, reverse=True)
    return 200, {"snapshots": [views.snapshot_brief(s) for s in snaps], "count": len(snaps)}


@handles("list_snapshot_details")
def list_snapshot_details(state: SimState, call: Call) -> Reply:
    """5.3.4 Querying Snapshot Details."""
    snap = state.get_snapshot(call.path["snapshot_id"])
    return 200, {"snapshot": views.snapshot_detail(state, snap)}


@handles("list_cluster_snapshots")
def list_cluster_snapshots(state: SimState, call: Call) -> Reply:
    """5.3.23 Querying the Cluster Snapshot List."""
    cluster_id = call.path["cluster_id"]
    state.get_cluster(cluster_id)
    snaps = state.cluster_snapshots(cluster_id)
    key = call.query.get("sort_key", "startTime")
    direction = call.query.get("sort_dir", "DESC").upper()
    if key not in SORT_KEYS or direction not in ("ASC", "DESC"):
        raise bad_request(
            "sort_key must be name, clusterName or startTime and sort_dir ASC or DESC.", "DWS.5038"
        )
    attr = SORT_KEYS[key]
    snaps.sort(key=lambda s: getattr(s, attr), reverse=direction == "DESC")
    offset, limit = record_window(call)
    return 200, {
        "snapshots": [
            views.snapshot_detail(state, s, cluster_table=True)
            for s in snaps[offset : offset + limit]
        ],
        "count": len(snaps),
        "project_id": state.project_id,
        "cluster_id": cluster_id,
    }


@handles("create_snapshot")
def create_snapshot(state: SimState, call: Call) -> Reply:
    """5.3.1 Creating a Snapshot."""
    body = call.body["snapshot"]
    snap = state.create_snapshot(
        str(body["cluster_id"]), str(body["name"]), str(body.get("description") or "")
    )
    return 200, {"snapshot": {"id": snap.id}}


@handles("delete_snapshot")
def delete_snapshot(state: SimState, call: Call) -> Reply:
    """5.3.8 Deleting a Manual Snapshot."""
    state.delete_snapshot(call.path["snapshot_id"])
    return 202, {}


@handles("restore_cluster")
def restore_cluster(state: SimState, call: Call) -> Reply:
    """5.3.15 Restoring a Cluster."""
    body = call.body["restore"]
    port = body.get("port")
    cluster = state.restore_snapshot(
        call.path["snapshot_id"],
        str(body["name"]),
        int(port) if port is not None else None,
        body.get("availability_zone"),
    )
    return 200, {"cluster": {"id": cluster.id}}


@handles("list_snapshot_policy")
def list_snapshot_policy(state: SimState, call: Call) -> Reply:
    """5.3.11 Querying a Snapshot Policy."""
    cluster = state.get_cluster(call.path["cluster_id"])
    now = state.clock.now_dt()
    next_full = (now + timedelta(days=(7 - now.weekday()) % 7 or 7)).replace(
        hour=2, minute=0, second=0, microsecond=0
    )
    next_incr = (now + timedelta(hours=8)).replace(minute=56, second=0, microsecond=0)
    updated = iso_plain(cluster.created)

    def ms(when: datetime) -> str:
        return str(int(when.astimezone(UTC).timestamp() * 1000))

    return 200, {
        "keep_day": "7",
        "backup_strategies": [
            {
                "policy_id": derived_id(cluster.id, "policy", "full"),
                "policy_name": f"{cluster.name}-default-full-strategy",
                "backup_strategy": "0 0 2 ? * 1",
                "backup_type": "full",
                "backup_level": "cluster",
                "next_fire_time": ms(next_full),
                "update_time": updated,
            },
            {
                "policy_id": derived_id(cluster.id, "policy", "increment"),
                "policy_name": f"{cluster.name}-default-increment-strategy",
                "backup_strategy": "0 56 2/8 ? * 2,3,4,5,6,7",
                "backup_type": "increment",
                "backup_level": "cluster",
                "next_fire_time": ms(next_incr),
                "update_time": updated,
            },
        ],
        "device_name": "obs",
        "server_ips": None,
        "server_port": None,
        "backup_param": "",
    }
