"""The catalogue: every operation of ``dws/data/operations.json`` by name.

Names are the official SDK's (``sdk_operation``) where the SDK has the operation with the same
method and path. For the 34 operations the SDK lacks, `DERIVED_NAMES` gives a name in the same
snake_case style (verb + resource, ``list_``/``show_``/``create_``/``update_``/``delete_``),
chosen from the method, the path and the title, and never reusing a name that the SDK gives
to another path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dws.data import operation_rows
from dws.errors import UnknownOperationError
from dws.operations.model import Location, Operation, Param, did_you_mean

# Names for the operations that huaweicloudsdkdws does not have, by reference section.
DERIVED_NAMES: dict[str, str] = {
    "5.2.47": "list_cluster_instances",  # GET  /v2/../clusters/{cluster_id}/instances
    "5.3.2": "create_cluster_snapshot",  # POST /v2/../clusters/{cluster_id}/snapshots
    "5.3.6": "show_snapshot_flavor",  # GET  /v2/../snapshots/{snapshot_id}/flavor
    "5.3.7": "restore_cluster_v2",  # POST /v2/../snapshots/{id}/actions (v1.0: restore_cluster)
    "5.3.10": "show_snapshot_policy_plan",  # GET  /v1/../snapshot-policies/plan (preview)
    "5.3.12": "show_snapshot_policy",  # GET  /v1/../snapshot-policies/{id}
    "5.3.13": "update_snapshot_policy",  # PUT  /v1/../snapshot-policies/{id}
    "5.3.18": "list_snapshot_cross_regions",  # GET  /v1/../snapshots/cross-regions
    "5.3.19": "create_snapshot_cross_region_policy",  # POST .../snapshots/cross-region-policies
    "5.3.20": "list_snapshot_cross_region_policies",  # GET  .../snapshots/cross-region-policies
    "5.3.21": "delete_snapshot_cross_region_policy",  # DELETE ../snapshots/cross-region-policies
    "5.3.24": "list_snapshot_roach_configs",  # GET  .../snapshots/roach-configs
    "5.3.25": "update_snapshot_roach_configs",  # PUT  .../snapshots/roach-configs
    "5.3.26": "stop_snapshot",  # POST /v1/../snapshots/{snapshot_id}/stop
    "5.3.27": "list_cluster_databases",  # GET  /v1/../clusters/{cluster_id}/databases
    "5.3.28": "list_database_schemas",  # GET /v1/../databases/{database}/schemas (v2 list_schemas)
    "5.7.9": "list_workload_queue_plans",  # GET  .../workload/queues/{queue_name}/plans
    "5.7.14": "update_workload_queue_rules",  # POST .../workload/queue/{queue_name}/rules
    "5.15.12": "set_ldap_conf",  # POST .../db-manager/ldap-conf
    "5.15.13": "show_ldap_conf",  # GET  .../db-manager/ldap-conf
    "5.15.14": "set_oneaccess_conf",  # POST .../db-manager/oneaccess-conf
    "5.15.15": "show_sync_record",  # GET  .../db-manager/sync-records/{id}
    "5.15.16": "execute_identity_source_sync",  # POST .../db-manager/sync-execute
    "5.18.1": "show_cluster_status",  # GET  /v1/../dms/cluster/status
    "5.18.2": "list_database_usage",  # GET  /v1/../dms/clusters/{cluster_id}/database
    "5.18.3": "list_node_disk_io",  # GET  .../disk-io
    "5.18.4": "list_node_disk_io_aggregate",  # GET  .../disk-io/aggregate
    "5.18.5": "list_node_file_system",  # GET  .../file-system
    "5.18.6": "list_node_file_system_aggregate",  # GET  .../file-system/aggregate
    "5.18.7": "list_node_nic_traffic",  # GET  .../nic/traffic
    "5.18.8": "list_query_status",  # GET  .../query
    "5.18.9": "list_session_status",  # GET  .../session
    "5.18.10": "list_resource_utilization",  # GET  /v1/../dms/resource/utilization
    "5.18.11": "list_resource_utilization_aggregate",  # GET .../resource/utilization/aggregate
}

# The one operation whose reference body is a multipart form ("FormData parameters").
_FORM_SECTIONS = frozenset({"5.15.12"})


@dataclass(frozen=True, slots=True)
class _Catalogue:
    operations: tuple[Operation, ...]
    by_name: dict[str, Operation]


def _params(rows: list[dict[str, Any]], location: Location) -> tuple[Param, ...]:
    # mandatory is null once (5.7.1 workload_status, a blank cell): treated as optional.
    return tuple(
        Param(
            name=row["name"],
            mandatory=row.get("mandatory") is True,
            type=row.get("type") or "String",
            description=row.get("description") or "",
            location=location,
        )
        for row in rows
        if not (location == "path" and row["name"] == "project_id")
    )


def _operation(row: dict[str, Any]) -> Operation:
    section = row["section"]
    sdk_name = row.get("sdk_operation")
    name = sdk_name or DERIVED_NAMES.get(section)
    if not name:
        raise RuntimeError(f"operation {section} has no name: add it to DERIVED_NAMES")
    return Operation(
        name=name,
        section=section,
        title=row["title"],
        group=row["group"],
        method=row["method"].upper(),
        path=row["path"],
        path_params=_params(row["path_params"], "path"),
        query_params=_params(row["query_params"], "query"),
        body_params=_params(row["request_body"], "body"),
        sdk_name=sdk_name,
        description=row.get("function") or "",
        content_type="multipart/form-data" if section in _FORM_SECTIONS else "application/json",
    )


@lru_cache(maxsize=1)
def _catalogue() -> _Catalogue:
    operations = tuple(_operation(row) for row in operation_rows())
    by_name: dict[str, Operation] = {}
    for op in operations:
        if op.name in by_name:
            raise RuntimeError(f"operation name {op.name} is used twice ({op.section})")
        by_name[op.name] = op
    return _Catalogue(operations, by_name)


def all_operations() -> tuple[Operation, ...]:
    """Every operation, in the reference's document order."""
    return _catalogue().operations


def get_operation(name: str) -> Operation:
    """The operation called ``name``; raises UnknownOperationError with a did-you-mean."""
    catalogue = _catalogue()
    op = catalogue.by_name.get(name)
    if op is None:
        hint = did_you_mean(name, list(catalogue.by_name))
        raise UnknownOperationError(f"unknown operation {name!r}{hint}")
    return op
