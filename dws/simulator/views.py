"""Rendering of simulated resources into the reference's response objects.

One function per response object of the reference (ClusterInfo, ClusterDetail, Snapshots,
SnapshotDetail, EventResponse, AlarmDetailResponse, DisasterRecovery ...). Field names, types and
nesting follow the reference's tables; values the tables leave open use the vocabulary of the
reference's examples.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from dws.simulator.state.base import iso_plain, iso_z, spaced
from dws.simulator.state.core import SimState
from dws.simulator.state.events import Event, EventSpec
from dws.simulator.state.models import Alarm, Cluster, Job, Snapshot, derived_id
from dws.simulator.state.params import parameter_group_id

STATUS_TASKS = {"STARTING", "STOPPING", "DELETING"}
NODE_STATUS = {"AVAILABLE": "200", "CREATING": "100", "DELETING": "304", "STOPPED": "300"}
Json = dict[str, Any]


@lru_cache(maxsize=65536)
def node_ids(cluster_id: str, count: int) -> tuple[str, ...]:
    """Stable instance ids of a cluster."""
    return tuple(derived_id(cluster_id, "node", i) for i in range(count))


def task_status(state: SimState, cluster: Cluster) -> str | None:
    """The task_status field (an accepted task shows once it has started)."""
    task = cluster.task
    if task is None or not task.begun(state.now()):
        return cluster.last_task_status
    if task.kind in STATUS_TASKS or task.kind == "CREATING":
        return None
    if task.kind == "REDISTRIBUTING" and task.paused_at is not None:
        return "REDISTRIBUTION_PAUSED"
    return task.kind


def action_progress(state: SimState, cluster: Cluster) -> dict[str, str]:
    """The action_progress map: ongoing task → "NN%"."""
    task = cluster.task
    if task is None or task.kind in STATUS_TASKS or not task.begun(state.now()):
        return {}
    return {task.kind: f"{task.progress(state.now())}%"}


def _endpoints(cluster: Cluster) -> list[Json]:
    ip = cluster.private_ip(0)
    return [
        {
            "connect_info": f"{ip}:{cluster.port}",
            "jdbc_url": f"jdbc:postgresql://{ip}:{cluster.port}/<YOUR_DATABASE_name>",
        }
    ]


def _public(cluster: Cluster) -> tuple[Json, list[Json]]:
    if cluster.public_ip is None:
        return {"public_bind_type": "not_use", "eip_id": None}, []
    info = f"{cluster.public_ip}:{cluster.port}"
    return {"public_bind_type": "auto_assign", "eip_id": cluster.eip_id}, [
        {"public_connect_info": info, "jdbc_url": f"jdbc:postgresql://{info}/<YOUR_DATABASE_name>"}
    ]


def cluster_info(state: SimState, cluster: Cluster) -> Json:
    """ClusterInfo (list_clusters)."""
    node_status = NODE_STATUS.get(cluster.status, "200")
    public_ip, public_endpoints = _public(cluster)
    failed = cluster.failed_reason
    return {
        "id": cluster.id,
        "name": cluster.name,
        "status": cluster.status,
        "version": cluster.version,
        "updated": iso_z(cluster.updated),
        "created": iso_z(cluster.created),
        "port": cluster.port,
        "endpoints": _endpoints(cluster),
        "nodes": [
            {"id": i, "status": node_status} for i in node_ids(cluster.id, cluster.number_of_node)
        ],
        "tags": [{"key": k, "value": v} for k, v in cluster.tags.items()],
        "user_name": cluster.user_name,
        "number_of_node": cluster.number_of_node,
        "recent_event": state.events.count(cluster.id),
        "availability_zone": cluster.availability_zone,
        "enterprise_project_id": cluster.enterprise_project_id,
        "node_type": cluster.node_type.spec_name,
        "vpc_id": cluster.vpc_id,
        "subnet_id": cluster.subnet_id,
        "public_ip": public_ip,
        "public_endpoints": public_endpoints,
        "action_progress": action_progress(state, cluster),
        "sub_status": " | ".join(cluster.sub_status),
        "task_status": task_status(state, cluster),
        "security_group_id": cluster.security_group_id,
        "failed_reasons": {"error_code": failed[0], "error_msg": failed[1]} if failed else None,
    }


def dumps(payload: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(payload, separators=(",", ":")).encode()


def cluster_info_bytes(state: SimState, cluster: Cluster) -> bytes:
    """ClusterInfo as JSON, cached while the cluster has no running task."""
    if cluster.task is not None:
        return dumps(cluster_info(state, cluster))
    return state.cached_view(("info", cluster.id), lambda: dumps(cluster_info(state, cluster)))


def cluster_detail_bytes(state: SimState, cluster: Cluster) -> bytes:
    """ClusterDetail as JSON, cached while the cluster has no running task."""
    if cluster.task is not None:
        return dumps(cluster_detail(state, cluster))
    return state.cached_view(("detail", cluster.id), lambda: dumps(cluster_detail(state, cluster)))


def event_bytes(state: SimState, item: Event) -> bytes:
    """EventResponse as JSON (events never change, so it is rendered once)."""
    if item.encoded is None:
        item.encoded = dumps(event(state, item))
    return item.encoded


def cluster_detail(state: SimState, cluster: Cluster) -> Json:
    """ClusterDetail (list_cluster_details)."""
    out = cluster_info(state, cluster)
    nt = cluster.node_type
    resize = cluster.resize
    out.update(
        subnet_ids=[cluster.subnet_id],
        parameter_group={
            "id": parameter_group_id(cluster),
            "name": "Default-Parameter-Template-DWS-8_2_0",
            "status": cluster.param_status,
        },
        node_type_id=nt.id,
        private_ip=[cluster.private_ip(i) for i in range(cluster.number_of_cn)],
        maintain_window={"day": cluster.maintain_day, "start_time": "22:00", "end_time": "02:00"},
        resize_info=None
        if resize is None
        else {
            "target_node_num": resize["target"],
            "origin_node_num": resize["origin"],
            "resize_status": "GROWING",
            "start_time": iso_plain(resize["start"]),
        },
        elb=None,
        flavor_detail={
            "type": nt.datastore_type,
            "cpu": str(nt.vcpus),
            "mem": str(nt.ram),
            "volume_size": str(nt.volume_size),
            "volume_type": nt.volume_type,
            "volume_num": "1",
        },
    )
    return out


def cluster_node(cluster: Cluster, index: int, node_id: str) -> Json:
    """ClusterNodeInfo (list_cluster_nodes)."""
    status = {
        "AVAILABLE": "ACTIVE",
        "CREATING": "CREATING",
        "DELETING": "DELETING",
        "STOPPED": "STOPPED",
    }.get(cluster.status, "ACTIVE")
    return {
        "id": node_id,
        "name": cluster.node_name(index),
        "status": status,
        "sub_status": "CREATED",
        "spec": cluster.node_type.spec_name,
        "inst_create_type": None,
        "alias_name": None,
        "az_code": cluster.availability_zone,
    }


def snapshot_brief(snap: Snapshot) -> Json:
    """Snapshots (list_snapshots)."""
    return {
        "id": snap.id,
        "name": snap.name,
        "description": snap.description,
        "started": iso_z(snap.started),
        "finished": iso_z(snap.finished) if snap.finished is not None else None,
        "size": float(snap.size),
        "status": snap.status,
        "type": snap.type,
        "cluster_id": snap.cluster_id,
    }


def snapshot_detail(state: SimState, snap: Snapshot, *, cluster_table: bool = False) -> Json:
    """SnapshotDetail (list_snapshot_details), or the richer Snapshots of list_cluster_snapshots."""
    cluster = state.clusters.get(snap.cluster_id)
    key = iso_plain(snap.started).replace("-", "").replace(":", "").replace("T", "_")
    progress = (
        100
        if snap.status != "CREATING"
        else min(99, int((state.now() - snap.started) / snap.duration * 100))
    )
    out = snapshot_brief(snap)
    out.update(
        cluster_name=snap.cluster_name,
        backup_key=key,
        prior_backup_key="FULL",
        base_backup_key=key,
        backup_device="OBS",
        total_backup_size=int(snap.size * 1024 * 1024),
        base_backup_name=snap.name,
        support_inplace_restore=True,
        fine_grained_backup=False,
        fine_grained_backup_detail=None,
        guest_agent_version=snap.version,
        cluster_status=(
            "AVAILABLE" if cluster and cluster.status == "AVAILABLE" else "UNAVAILABLE"
        ),
        bak_expected_start_time=None,
        bak_keep_day=7 if snap.type != "MANUAL" else None,
        bak_period="0 0 2 ? * 1" if snap.type != "MANUAL" else None,
        db_user="dbadmin",
        datastore={"type": "dws", "version": snap.version},
        progress=f"{progress}%",
        backup_level="cluster",
    )
    if cluster_table:
        del out["finished"]
        out["updated"] = iso_plain(snap.finished or snap.started)
        out["type"] = "AUTO" if snap.type == "AUTOMATED" else snap.type
    return out


def job(state: SimState, item: Job) -> Json:
    """list_job_details."""
    if item.status == "RUNNING":
        done = min(99, int((state.now() - item.begin) / max(item.duration, 1e-9) * 100))
    else:
        done = 100
    return {
        "job_id": item.id,
        "job_name": item.name,
        "begin_time": iso_plain(item.begin),
        "end_time": iso_plain(item.end) if item.end is not None else None,
        "status": item.status,
        "failed_code": item.failed_code,
        "failed_detail": item.failed_detail,
        "progress": f"{done}%",
    }


def event(state: SimState, item: Event) -> Json:
    """EventResponse (list_events)."""
    spec = item.spec
    return {
        "category": spec.category,
        "description": spec.description,
        "event_id": item.event_id,
        "name": spec.name,
        "display_name": spec.display_name,
        "name_space": "dws",
        "severity": spec.severity,
        "source_type": spec.source_type,
        "occur_time": item.occur_ms,
        "project_id": state.project_id,
        "source_id": item.source_id,
        "source_name": item.source_name,
        "status": 2,
        "subject": "DWS event notification",
        "context": item.context,
    }


def event_spec(spec: EventSpec) -> Json:
    """EventSpecResponse (list_event_specs)."""
    return {
        "id": spec.id,
        "name": spec.name,
        "display_name": spec.display_name,
        "description": spec.description,
        "subject": "DWS event notification",
        "category": spec.category,
        "severity": spec.severity,
        "source_type": spec.source_type,
        "name_space": "dws",
    }


def alarm(item: Alarm, offset_hours: float = 0.0) -> Json:
    """AlarmDetailResponse (list_alarm_detail); the date is shown in the requested zone."""
    return {
        "alarm_id": item.definition_id,
        "alarm_name": item.name,
        "alarm_level": item.level,
        "alarm_source": "DWS",
        "alarm_message": item.message,
        "alarm_location": f"cluster_id: {item.cluster_id}, cluster_name: {item.cluster_name}",
        "resource_id": item.cluster_id,
        "resource_id_name": item.cluster_name,
        "alarm_generate_date": spaced(item.raised + offset_hours * 3600),
        "alarm_status": item.status,
    }
