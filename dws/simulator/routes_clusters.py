"""HTTP handlers of cluster operations (5.1, 5.2 and 5.10 of the reference): thin, the rules are
in the state."""

from __future__ import annotations

from typing import Any

from dws.simulator import views
from dws.simulator.catalogue import int_query
from dws.simulator.errors import bad_request
from dws.simulator.registry import Call, Reply, handles, record_window
from dws.simulator.state import SimState


def _cid(call: Call) -> str:
    return call.path["cluster_id"]


@handles("list_availability_zones")
def list_availability_zones(state: SimState, call: Call) -> Reply:
    """5.1.1 Querying AZs."""
    zones = [
        {"code": z, "name": z.upper(), "status": "available", "public_border_group": "center"}
        for z in state.availability_zones
    ]
    return 200, {"availability_zones": zones, "count": len(zones)}


@handles("list_node_types")
def list_node_types(state: SimState, call: Call) -> Reply:
    """5.2.14 Querying Node Types."""
    rows = []
    for nt in state.node_types:
        rows.append(
            {
                "spec_name": nt.spec_name,
                "id": nt.id,
                "datastore_type": nt.datastore_type,
                "available_zones": [
                    {"code": z, "status": "normal"} for z in state.availability_zones
                ],
                "ram": nt.ram,
                "vcpus": nt.vcpus,
                "datastores": [
                    {"version": "8.2.1.220", "attachments": {"min_cn": "2", "max_cn": "20"}}
                ],
                "volume": {"type": nt.volume_type, "size": nt.volume_size},
                "elastic_volume_specs": None,
                "detail": [
                    {"type": "vCPU", "value": str(nt.vcpus), "unit": None},
                    {"type": "mem", "value": str(nt.ram), "unit": "GB"},
                    {"type": "LOCAL_DISK", "value": str(nt.volume_size), "unit": "GB"},
                ],
            }
        )
    return 200, {"node_types": rows, "count": len(rows)}


@handles("list_clusters")
def list_clusters(state: SimState, call: Call) -> Reply:
    """5.2.6 Querying the Cluster List."""
    clusters = sorted(state.clusters.values(), key=lambda c: c.created, reverse=True)
    parts = b",".join(views.cluster_info_bytes(state, c) for c in clusters)
    return 200, b'{"clusters":[' + parts + b'],"count":' + str(len(clusters)).encode() + b"}"


@handles("list_cluster_details")
def list_cluster_details(state: SimState, call: Call) -> Reply:
    """5.2.13 Querying Cluster Details."""
    detail = views.cluster_detail_bytes(state, state.get_cluster(_cid(call)))
    return 200, b'{"cluster":' + detail + b"}"


@handles("list_cluster_nodes")
def list_cluster_nodes(state: SimState, call: Call) -> Reply:
    """5.2.10 Querying the Node List."""
    cluster = state.get_cluster(_cid(call))
    ids = views.node_ids(cluster.id, cluster.number_of_node)
    rows = [views.cluster_node(cluster, i, nid) for i, nid in enumerate(ids)]
    wanted = {v for raw in call.query_lists.get("node_ids", []) for v in raw.split(",") if v}
    if wanted:
        rows = [r for r in rows if r["id"] in wanted]
    field, text = call.query.get("filter_by"), call.query.get("filter")
    if field and text is not None:
        if rows and field not in rows[0]:
            raise bad_request(f"Cannot filter by {field}.", "DWS.5063")
        rows = [r for r in rows if text.lower() in str(r.get(field) or "").lower()]
    order_by = call.query.get("order_by")
    if order_by:
        if rows and order_by not in rows[0]:
            raise bad_request(f"Cannot sort by {order_by}.", "DWS.5063")
        rows.sort(
            key=lambda r: str(r.get(order_by) or ""),
            reverse=call.query.get("order", "asc").lower() == "desc",
        )
    offset, limit = record_window(call, default_limit=len(rows) or 1, max_limit=10000)
    return 200, {
        "node_list": rows[offset : offset + limit],
        "count": len(rows),
        "failed_count": sum(r["status"] == "FAILED" for r in rows),
    }


@handles("list_cluster_cn")
def list_cluster_cn(state: SimState, call: Call) -> Reply:
    """5.2.39 Querying Cluster CN Nodes."""
    cluster = state.get_cluster(_cid(call))
    ids = views.node_ids(cluster.id, cluster.number_of_node)
    cns = [
        {"id": ids[i], "name": cluster.node_name(i), "private_ip": cluster.private_ip(i)}
        for i in range(cluster.number_of_cn)
    ]
    return 200, {
        "min_num": min(2, cluster.number_of_node),
        "max_num": min(20, cluster.number_of_node),
        "instances": cns,
    }


@handles("create_cluster")
def create_cluster(state: SimState, call: Call) -> Reply:
    """5.2.1 Creating a Cluster."""
    spec = dict(call.body["cluster"])
    tags = spec.get("tags")
    spec["tags"] = [tags] if isinstance(tags, dict) else tags
    cluster = state.create_cluster(spec)
    return 200, {"cluster": {"id": cluster.id}, "subscriptionsID": None}


@handles("create_cluster_v2")
def create_cluster_v2(state: SimState, call: Call) -> Reply:
    """5.2.3 Creating a Cluster (V2)."""
    body = call.body.get("cluster")
    if not isinstance(body, dict):
        raise bad_request("Parameter cluster is mandatory.")
    zones = body.get("availability_zones") or []
    spec: dict[str, Any] = {
        "name": body.get("name"),
        "node_type": body.get("flavor"),
        "number_of_node": body.get("num_node"),
        "number_of_cn": body.get("num_cn"),
        "user_name": body.get("db_name"),
        "user_pwd": body.get("db_password"),
        "port": body.get("db_port"),
        "availability_zone": zones[0] if zones else None,
        "vpc_id": body.get("vpc_id"),
        "subnet_id": body.get("subnet_id"),
        "security_group_id": body.get("security_group_id"),
        "tags": body.get("tags"),
        "enterprise_project_id": body.get("enterprise_project_id"),
        "version": body.get("datastore_version"),
    }
    cluster = state.create_cluster(spec)
    return 200, {"cluster": {"id": cluster.id}, "subscriptionsID": None}


@handles("delete_cluster")
def delete_cluster(state: SimState, call: Call) -> Reply:
    """5.2.15 Deleting Clusters."""
    keep = int(call.body["keep_last_manual_snapshot"])
    if keep < 0:
        raise bad_request("keep_last_manual_snapshot must be >= 0.", "DWS.5060")
    state.delete_cluster(_cid(call), keep)
    return 202, {}


@handles("delete_dws_cluster")
def delete_dws_cluster(state: SimState, call: Call) -> Reply:
    """5.2.16 Deleting a Cluster (V2)."""
    keep = int_query(call.query, "keep_last_manual_backup", 0)
    release = call.query.get("release_eip_type", "NO_RELEASE")
    if release not in ("NO_RELEASE", "RELEASE_BINDING"):
        raise bad_request("release_eip_type must be NO_RELEASE or RELEASE_BINDING.", "DWS.5038")
    state.delete_cluster(_cid(call), keep)
    return 202, {}


@handles("restart_cluster")
def restart_cluster(state: SimState, call: Call) -> Reply:
    """5.2.25 Restarting a Cluster."""
    state.restart_cluster(_cid(call))
    return 200, {}


@handles("start_cluster")
def start_cluster(state: SimState, call: Call) -> Reply:
    """5.2.61 Starting a Cluster."""
    job_id = state.start_cluster(_cid(call))
    return 200, {"error_code": None, "error_msg": None, "job_id": job_id}


@handles("stop_cluster")
def stop_cluster(state: SimState, call: Call) -> Reply:
    """5.2.62 Stopping a Cluster."""
    job_id = state.stop_cluster(_cid(call))
    return 200, {"error_code": None, "error_msg": None, "job_id": job_id}


@handles("switch_over_cluster")
def switch_over_cluster(state: SimState, call: Call) -> Reply:
    """5.2.36 Performing a Switchback."""
    return 200, {"job_id": state.switchback(_cid(call))}


@handles("cancel_readonly_cluster")
def cancel_readonly_cluster(state: SimState, call: Call) -> Reply:
    """5.2.37 Removing the Read-only Status."""
    state.cancel_readonly(_cid(call))
    return 200, {}


@handles("reset_password")
def reset_password(state: SimState, call: Call) -> Reply:
    """5.2.28 Resetting a Password."""
    state.reset_password(_cid(call), str(call.body["new_password"]))
    return 200, {}


@handles("list_cluster_configurations")
def list_cluster_configurations(state: SimState, call: Call) -> Reply:
    """5.2.42 Querying a Cluster Parameter Group."""
    cluster, configs = state.configurations(_cid(call))
    return 200, {
        "configurations": [
            {
                "id": cid,
                "name": name,
                "type": kind,
                "status": cluster.param_status,
                "fail_reason": None,
            }
            for cid, name, kind in configs
        ]
    }


@handles("list_cluster_configurations_parameter")
def list_cluster_configurations_parameter(state: SimState, call: Call) -> Reply:
    """5.2.43 Querying Cluster Parameter Settings."""
    rows = state.parameters(_cid(call), call.path["configuration_id"])
    return 200, {
        "configurations": [
            {
                "name": r["param"].name,
                "values": [
                    {"type": "cn", "value": r["cn"], "default_value": r["param"].default},
                    {"type": "dn", "value": r["dn"], "default_value": r["param"].default},
                ],
                "unit": r["param"].unit,
                "type": r["param"].type,
                "readonly": r["param"].readonly,
                "value_range": r["param"].value_range,
                "restart_required": r["param"].restart_required,
                "description": r["param"].description,
            }
            for r in rows
        ]
    }


@handles("update_configuration")
def update_configuration(state: SimState, call: Call) -> Reply:
    """5.2.44 Modifying Parameter Settings of a Cluster."""
    state.update_configuration(
        _cid(call), call.path["configuration_id"], list(call.body["configurations"])
    )
    return 200, {}


@handles("list_cluster_tags")
def list_cluster_tags(state: SimState, call: Call) -> Reply:
    """5.10.2 Querying Cluster Tags."""
    cluster = state.get_cluster(_cid(call))
    return 200, {"tags": [{"key": k, "value": v} for k, v in cluster.tags.items()]}


@handles("list_tags")
def list_tags(state: SimState, call: Call) -> Reply:
    """5.10.1 Querying Tags in a Project."""
    return 200, {"tags": [{"key": k, "values": v} for k, v in state.project_tags().items()]}


@handles("batch_create_resource_tag")
def batch_create_resource_tag(state: SimState, call: Call) -> Reply:
    """5.10.3 Adding Tags in Batches."""
    state.add_tags(_cid(call), list(call.body["tags"]))
    return 200, {}


@handles("batch_delete_resource_tag")
def batch_delete_resource_tag(state: SimState, call: Call) -> Reply:
    """5.10.4 Deleting Tags in Batches."""
    state.delete_tags(_cid(call), list(call.body["tags"]))
    return 200, {}


@handles("list_quotas")
def list_quotas(state: SimState, call: Call) -> Reply:
    """5.11.1 Querying Resource Quotas."""
    clusters = list(state.clusters.values())
    nodes = sum(c.number_of_node for c in clusters)
    cores = sum(c.number_of_node * c.node_type.vcpus for c in clusters)
    ram = sum(c.number_of_node * c.node_type.ram for c in clusters)
    disk = sum(c.number_of_node * c.node_type.volume_size for c in clusters)

    def row(kind: str, used: int, quota: int, unit: str | None) -> dict[str, Any]:
        return {"type": kind, "used": str(used), "quota": max(quota, used), "unit": unit}

    return 200, {
        "quotas": {
            "resources": [
                row("cluster", len(clusters), 50, None),
                row("instances", nodes, 300, None),
                row("core", cores, 4000, None),
                row("ram", ram, 32000, "GB"),
                row("disk_capacity", disk, 500000, "GB"),
            ]
        }
    }
