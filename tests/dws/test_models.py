"""dws.models against the reference: every documented example parses strictly, field names
match the response tables, and the lenient mode takes what the service really sends."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import dws.models as models
from dws.models import RESPONSE_MODELS, DwsModel, DwsRootList
from dws.operations import get_operation
from tests.dws.model_examples import read_example, shape_of

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


def _catalogue() -> dict[str, dict[str, Any]]:
    text = resources.files("dws").joinpath("data/operations.json").read_text("utf-8")
    return {row["sdk_operation"]: row for row in json.loads(text) if row["sdk_operation"]}


CATALOGUE = _catalogue()
ResponseModel = type[DwsModel] | type[DwsRootList[Any]]


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


def _item_model(model: ResponseModel) -> type[BaseModel]:
    shape = shape_of(model)
    return shape.item if not isinstance(shape, type) else shape  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("operation", sorted(RESPONSE_MODELS))
def test_top_level_fields_are_the_response_table(operation: str) -> None:
    row, model = CATALOGUE[operation], RESPONSE_MODELS[operation]
    table = {field["name"] for field in row["response_body"]}
    if table == {"[Array]"}:  # a bare array: compare its item with the object table
        caption = next(iter(row["response_objects"]))
        table = {field["name"] for field in row["response_objects"][caption]}
    assert canonical_keys(_item_model(model)) == table


def canonical_keys(model: type[BaseModel]) -> set[str]:
    """The wire name of every field (its alias where it has one)."""
    return {field.alias or name for name, field in model.model_fields.items()}


# Nested models: (model, section, caption in response_objects, SDK class or None).
NESTED: list[tuple[type[BaseModel], str, str, str | None]] = [
    (models.AvailabilityZone, "5.1.1", "AvailabilityZone", "AvailabilityZone"),
    (models.NodeType, "5.2.14", "NodeTypes", "NodeTypes"),
    (models.NodeTypeDetail, "5.2.14", "Detail", "Detail"),
    (models.NodeTypeAvailableZone, "5.2.14", "NodeTypeAvailableZones", "NodeTypeAvailableZones"),
    (models.NodeTypeDatastore, "5.2.14", "NodeTypeDatastores", "NodeTypeDatastores"),
    (models.NodeTypeAttachments, "5.2.14", "attachments", "NodeTypeDatastoresAttachments"),
    (models.NodeTypeVolume, "5.2.14", "VolumeResp", "VolumeResp"),
    (models.NodeTypeElasticVolumeSpec, "5.2.14", "NodeTypeElasticVolumeSpecs", None),
    (models.ClusterInfo, "5.2.6", "ClusterInfo", "ClusterInfo"),
    (models.Endpoint, "5.2.6", "Endpoints", "Endpoints"),
    (models.ClusterInstance, "5.2.6", "Nodes", "Nodes"),
    (models.Tag, "5.2.6", "Tags", "Tags"),
    (models.PublicIp, "5.2.6", "PublicIp", "PublicIp"),
    (models.PublicEndpoint, "5.2.6", "PublicEndpoints", "PublicEndpoints"),
    (models.FailedReason, "5.2.6", "FailedReason", "FailedReason"),
    (models.ClusterDetail, "5.2.13", "ClusterDetail", "ClusterDetail"),
    (models.ParameterGroup, "5.2.13", "ParameterGroup", "ParameterGroup"),
    (models.MaintainWindow, "5.2.13", "MaintainWindow", "MaintainWindow"),
    (models.ResizeInfo, "5.2.13", "ResizeInfo", "ResizeInfo"),
    (models.ElbInfo, "5.2.13", "ElbResp", "ElbResp"),
    (models.FlavorDetail, "5.2.13", "FlavorDetail", None),
    (models.ClusterNodeInfo, "5.2.10", "ClusterNodeInfo", "ClusterNodeInfo"),
    (models.CoordinatorNode, "5.2.39", "CoordinatorNode", "CoordinatorNode"),
    (models.RedisInfo, "5.2.32", "RdsRedisInfo", "RdsRedisInfo"),
    (models.RedisConf, "5.2.32", "RedisConf", "RedisConf"),
    (models.ScheduleConf, "5.2.32", "ScheduleConf", "ScheduleConf"),
    (models.RedisProgress, "5.2.32", "RedisProgress", "RedisProgress"),
    (models.RedisTableDetail, "5.2.32", "RedisTableDetail", "RedisTableDetail"),
    (models.RedisTable, "5.2.32", "RedisTable", "RedisTable"),
    (models.ClusterConfiguration, "5.2.42", "ClusterConfiguration", "ClusterConfiguration"),
    (models.ConfigurationParameter, "5.2.43", "ConfigurationParameter", None),
    (models.ConfigurationParameterValue, "5.2.43", "ConfigurationParameterUnit", None),
    (models.Snapshot, "5.3.3", "Snapshots", "Snapshots"),
    (models.SnapshotDetail, "5.3.4", "SnapshotDetail", "SnapshotDetail"),
    (models.FineGrainedSnapshotDetail, "5.3.4", "FineGrainedSnapshotDetail", None),
    (models.DataStore, "5.3.4", "DataStore", "Datastore"),
    (models.ClusterSnapshot, "5.3.23", "Snapshots", "ClusterSnapshots"),
    (models.BackupStrategyDetail, "5.3.11", "BackupStrategyDetail", "BackupStrategyDetail"),
    (models.Event, "5.4.1", "EventResponse", "EventResponse"),
    (models.EventSpec, "5.4.2", "EventSpecResponse", "EventSpecResponse"),
    (models.EventSubscription, "5.4.3", "EventSubscriptionResponse", None),
    (models.AlarmConfig, "5.8.1", "AlarmConfigResponse", "AlarmConfigResponse"),
    (models.AlarmDetail, "5.8.2", "AlarmDetailResponse", "AlarmDetailResponse"),
    (models.AlarmStatistic, "5.8.3", "AlarmStatisticResponse", "AlarmStatisticResponse"),
    (models.AlarmSubscription, "5.8.4", "AlarmSubscriptionResponse", "AlarmSubscriptionResponse"),
    (models.ProjectTag, "5.10.1", "ProjectTag", "ProjectTag"),
    (models.ResourceTag, "5.10.2", "ResourceTag", "ResourceTag"),
    (models.Quotas, "5.11.1", "QuotasResources", "QuotasQuotas"),
    (models.QuotaResource, "5.11.1", "QuotasResource", "QuotasResource"),
    (models.DisasterRecovery, "5.12.3", "DisasterRecovery", "DisasterRecovery"),
    (models.DisasterRecoveryDetail, "5.12.4", "DisasterRecoveryQueryResp", None),
    (
        models.DisasterRecoveryCluster,
        "5.12.4",
        "DisasterRecoveryCluster",
        "DisasterRecoveryCluster",
    ),
    (models.DisasterRecoveryProgress, "5.12.5", "ClusterDisasterRecovery", None),
    (models.ClusterRecoveryProgress, "5.12.5", "ClusterRecoveryProgress", None),
    (models.HostOverview, "5.14.1", "HostOverviewResponse", None),
    (models.HostDisk, "5.14.2", "DiskResp", "DiskResp"),
    (models.TrendQueryDataResult, "5.14.5", "TrendQueryDataResponseBody", None),
    (models.TrendQueryData, "5.14.5", "TrendQueryData", None),
    (models.RunningQuery, "5.14.7", "ListQueriesDto", None),
    (models.QueryStatistics, "5.14.7", "ListQueriesStatus", None),
    (models.ListQueriesData, "5.14.7", "ListQueriesData", None),
    (models.ClusterMetric, "5.14.9", "ClusterMetric", None),
    (models.MetricField, "5.14.9", "SimpleFieldDto", None),
]
# Fields in neither the object's table nor its SDK class, and where they come from.
OTHER_SOURCES = {
    (models.RedisProgress, "total_redis_rate"): "the 5.2.32 example",
    (models.ClusterSnapshot, "support_fine_grained_asymmetric_restore"): "SDK Snapshots",
    (models.ClusterSnapshot, "support_fine_grained_cross_version_restore"): "SDK Snapshots",
}
SECTIONS = {row["section"]: row for row in CATALOGUE.values()}


def sdk_keys(class_name: str | None) -> set[str]:
    if class_name is None:
        return set()
    from huaweicloudsdkdws.v2 import model as sdk  # the SDK is a test oracle only

    return set(getattr(sdk, class_name).attribute_map.values())


@pytest.mark.parametrize(
    ("model", "section", "caption", "sdk"), NESTED, ids=[m.__name__ for m, *_ in NESTED]
)
def test_nested_fields_match_table_and_sdk(
    model: type[BaseModel], section: str, caption: str, sdk: str | None
) -> None:
    table = {field["name"] for field in SECTIONS[section]["response_objects"][caption]}
    ours = canonical_keys(model)
    assert table <= ours, f"missing from {model.__name__}: {table - ours}"
    extra = {key for key in ours - table if (model, key) not in OTHER_SOURCES}
    assert extra <= sdk_keys(sdk), (
        f"{model.__name__} has fields in no source: {extra - sdk_keys(sdk)}"
    )


def test_every_response_object_of_a_modelled_operation_has_a_model() -> None:
    """Objects repeated in several sections (``Endpoints`` ...) may be covered once, if the
    covering model has every field of this section's table too."""
    by_caption: dict[str, list[type[BaseModel]]] = {}
    for model, _, caption, _ in NESTED:
        by_caption.setdefault(caption, []).append(model)
    for operation in RESPONSE_MODELS:
        for caption, fields in CATALOGUE[operation]["response_objects"].items():
            table = {field["name"] for field in fields}
            candidates = by_caption.get(caption, [])
            assert any(table <= canonical_keys(m) for m in candidates), (operation, caption)
