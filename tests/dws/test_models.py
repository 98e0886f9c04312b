"""dws.models against the reference examples: every documented answer body of a modelled
operation parses in strict mode (through the tolerant reader of tests/dws/model_examples.py),
holds the values the example shows, and survives a dump/validate round trip.

Names and kinds against the response tables and the SDK: test_models_schema.py; lenient and
strict behaviour: test_models_lenient.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from dws.models import RESPONSE_MODELS, DwsRootList
from dws.operations import get_operation
from tests.dws.model_examples import catalogue, read_example, shape_of

# Examples that stay unreadable even after the tolerant reader; each must really fail.
BROKEN_EXAMPLES: dict[str, str] = {}

KEY_VALUES: dict[str, dict[str, Any]] = {
    "list_availability_zones": {"availability_zones.0.code": "az1", "count": 1},
    "list_node_types": {
        "node_types.0.spec_name": "dws.d2.xlarge",
        "node_types.0.datastores.0.attachments.max_cn": 20,
        "node_types.0.detail.1.value": "1675",
        "node_types.0.elastic_volume_specs.0.max_size": 32000,
        "node_types.0.available_zones.0.status": "normal",
        "count": 1,
    },
    "list_clusters": {
        "clusters.0.id": "7d85f602-a948-4a30-afd4-e84f47471c15",
        "clusters.0.status": "AVAILABLE",
        "clusters.0.sub_status": "READONLY",
        "clusters.0.task_status": "SNAPSHOTTING",
        "clusters.0.action_progress": {"SNAPSHOTTING": "20%"},
        "clusters.0.port": 8000,
        "clusters.0.nodes.2.id": "d71a4a25-c9bc-4ffd-9f4a-e422aef327f9",
        "clusters.0.endpoints.0.connect_info": "192.168.0.10:8000",
        "clusters.0.public_ip.public_bind_type": "auto_assign",
        "clusters.0.public_endpoints.0.public_connect_info": "10.0.0.8:8000",
        "clusters.0.tag_map": {"key1": "value1", "key2": "value2"},
        "clusters.0.security_group_id": "dc3ec145-9029-4b39-b5a3-ace5a01f772b",
    },
    "list_cluster_details": {
        "cluster.name": "dws-1",
        "cluster.recent_event": 6,
        "cluster.nodes.0.name": "dws-1-dws-cn-cn-1-1",
        "cluster.subnet_ids.1": "2a2ea336-f894-4599-928b-12ac1941e643",
        "cluster.parameter_group.status": "In-Sync",
        "cluster.private_ip": ["192.168.0.12", "192.168.0.66"],
        "cluster.maintain_window.day": "Wed",
        "cluster.resize_info.target_node_num": 6,
        "cluster.resize_info.resize_status": "GROWING",
        "cluster.flavor_detail.volume_num": "2",
    },
    "list_cluster_nodes": {
        "node_list.1.name": "ty-default--BGy6PUIN-K-dws-cn-cn-1-1",
        "node_list.0.alias_name": None,
        "node_list.0.sub_status": "CREATED",
        "count": 2,
        "failed_count": 0,
    },
    "list_cluster_cn": {"min_num": 2, "max_num": 3, "instances.0.private_ip": "172.16.69.106"},
    "show_cluster_redistribution": {
        "error_code": "DWS.0000",
        "redis_info.cluster_id": "73f10ab8-e345-4467-aa4b-b567808f25f0",
        "redis_info.redis_conf.redis_mode": "offline",
        "redis_info.redis_process.redis_rate": "0 KB/s",
        "redis_info.redis_process.completed": False,
        "redis_info.redis_table_detail.data": [],
    },
    "list_cluster_configurations": {
        "configurations.0.name": "defaultGUCConfig",
        "configurations.4.type": "securityParameterGroup",
        "configurations.3.status": "In-Sync",
    },
    "list_cluster_configurations_parameter": {
        "configurations.0.name": "enable_constraint_optimization",
        "configurations.0.values.1.type": "dn",
        "configurations.0.readonly": False,
        "configurations.0.value_range": "on|off",
    },
    "list_snapshots": {"snapshots.0.size": 500.0, "snapshots.1.name": "snapshot-2", "count": 2},
    "list_snapshot_details": {
        "snapshot.description": "snapshot description",
        "snapshot.finished": "2016-08-23T04:01:40Z",
    },
    "list_snapshot_policy": {
        "keep_day": 3,
        "backup_strategies.1.backup_type": "increment",
        "backup_strategies.0.next_fire_time": "1667700000000",
        "device_name": "obs",
        "server_ips": [],
    },
    "list_cluster_snapshots": {
        "snapshots.0.status": "COMPLETED",
        "snapshots.0.datastore.version": "8.1.3.200",
        "snapshots.0.support_inplace_restore": True,
        "snapshots.0.cluster_status": "AVAILABLE",
        "cluster_id": "1446b166-b73f-4096-b9bd-9a30afe3071f",
        "count": 1,
    },
    "list_events": {
        "events.0.name": "deleteClusterSuccess",
        "events.0.occur_time": 1664331248330,
        "events.0.status": 2,
        "events.0.source_name": "test-ty-820-1006",
        "count": 1,
    },
    "list_event_specs": {
        "event_specs.0.display_name": "MRS data source configured successfully.",
        "count": 1,
    },
    "list_event_subs": {"event_subscriptions.0.notification_target_type": "SMN", "count": 1},
    "list_alarm_configs": {
        "alarm_configs.0.alarm_level": "urgent",
        "alarm_configs.0.converge_time": 0,
    },
    "list_alarm_detail": {"alarm_details.0.alarm_id": "DWS_01010", "count": 1},
    "list_alarm_statistic": {
        "alarm_statistics.6.urgent": "17",
        "alarm_statistics.2.important": "0",
    },
    "list_alarm_subs": {"alarm_subscriptions.0.levels": ["urgent", "important", "minor", "prompt"]},
    "list_tags": {"tags.0.values": ["value-1", "value-2"]},
    "list_cluster_tags": {"tag_map": {"key": "value"}},
    "list_quotas": {
        "quotas.resources.0.used": 3,
        "quotas.resources.2.unit": "GB",
        "quotas.resources.4.type": "disk_capacity",
    },
    "list_disaster_recover": {
        "disaster_recovery.0.status": "stop_failed",
        "disaster_recovery.1.name": "test_dis",
        "disaster_recovery.1.primary_cluster_status": None,
    },
    "show_disaster_detail": {
        "disaster_recovery.primary_cluster.progress": "100",
        "disaster_recovery.standby_cluster.name": "dws-205-standby",
        "disaster_recovery.dr_sync_period": "3H",
    },
    "show_disaster_progress": {
        "disaster_recovery_progress.standby_cluster.action_type": "Restore",
        "disaster_recovery_progress.last_recovery_spend": 30,
    },
    "list_job_details": {"status": "FAIL", "percent": 9, "finished": True},
    "list_host_overview": {"0.host_stat": "ONLINE", "0.mem_buffer": 249.34},
    "list_host_disk": {"0.disk_name": "vda", "0.await_": 0.21},
    "list_monitor_indicator_data": {
        "1.indicator_name": "cluster cpu_mem",
        "0.data_points.1.timestamp": 1671058144000,
        "0.data_points.0.value": 10.2,
    },
    "list_queries": {
        "code": 0,
        "data.queries.0.inst_name": "cn_5002",
        "data.queries.0.query_elapsed_time": -1,
        "data.status.session_count": 19,
    },
    "list_metrics": {
        "data.0.metric_name": "TableDirtyPageRate",
        "data.0.fields.5.column_type": "double precision",
    },
    "list_metrics_data": {"data.0.dirty_page_rate": 0.8, "count": 3},
}


CATALOGUE = catalogue()


def resolve(value: Any, path: str) -> Any:
    """Follow ``a.0.b`` through attributes, list indexes and dict keys."""
    for part in path.split("."):
        if isinstance(value, list | DwsRootList):
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value[part]
        else:
            value = getattr(value, part)
    return value


def example_data(operation: str) -> Any:
    row = CATALOGUE[operation]
    return read_example(
        row["section"], row["example_response"], shape_of(RESPONSE_MODELS[operation])
    )


@pytest.mark.parametrize("operation", sorted(RESPONSE_MODELS))
def test_reference_example_parses_strictly(operation: str) -> None:
    assert CATALOGUE[operation]["example_response"], "every modelled operation has an example"
    model, data = RESPONSE_MODELS[operation], example_data(operation)
    if CATALOGUE[operation]["section"] in BROKEN_EXAMPLES:
        with pytest.raises(ValidationError):
            model.strict_validate(data)
        pytest.skip(BROKEN_EXAMPLES[CATALOGUE[operation]["section"]])
    parsed = model.strict_validate(data)
    for path, expected in KEY_VALUES[operation].items():
        assert resolve(parsed, path) == expected, path


def test_every_modelled_operation_has_key_value_checks_and_few_broken_examples() -> None:
    assert set(KEY_VALUES) == set(RESPONSE_MODELS)
    assert len(BROKEN_EXAMPLES) <= 3, f"{len(BROKEN_EXAMPLES)} broken examples: {BROKEN_EXAMPLES}"


@pytest.mark.parametrize("operation", sorted(RESPONSE_MODELS))
def test_example_round_trips(operation: str) -> None:
    model = RESPONSE_MODELS[operation]
    parsed = model.model_validate(example_data(operation))
    dumped = parsed.model_dump(by_alias=True, mode="json")
    assert model.strict_validate(dumped) == parsed
    assert json.loads(parsed.model_dump_json(by_alias=True)) == dumped


@pytest.mark.parametrize("operation", sorted(RESPONSE_MODELS))
def test_operation_names_are_the_catalogue_names(operation: str) -> None:
    assert get_operation(operation).method == CATALOGUE[operation]["method"]
