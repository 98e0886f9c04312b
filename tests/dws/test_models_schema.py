"""dws.models against the reference's response tables and the official SDK's models: the
same names (so they cannot drift), the same kinds of values (except documented
departures), and a docstring on every field."""

from __future__ import annotations

import inspect
import types
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

import dws.models as models
from dws.models import RESPONSE_MODELS, DwsModel, ResponseModel
from tests.dws.model_examples import ListShape, catalogue, shape_of

CATALOGUE = catalogue()
SECTIONS = {row["section"]: row for row in CATALOGUE.values()}


def _item_model(model: ResponseModel) -> type[BaseModel]:
    shape = shape_of(model)
    item = shape.item if isinstance(shape, ListShape) else shape
    assert isinstance(item, type) and issubclass(item, BaseModel)
    return item


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


# Where our kind of value departs from the reference table, and why.
TYPE_DEPARTURES = {
    (models.NodeTypeAttachments, "min_cn"): "int: SDK int, example 2",
    (models.NodeTypeAttachments, "max_cn"): "int: SDK int, example 20",
    (models.NodeTypeElasticVolumeSpec, "step"): "int: SDK int, example 100",
    (models.QuotaResource, "used"): "int: SDK int, example '3'",
    (models.QuotaResource, "unit"): "str: SDK str, example 'GB'",
    (models.ListSnapshotPolicyResponse, "keep_day"): "int: SDK int, example 3",
}
_REFERENCE_KINDS = {
    "String": "str",
    "Integer": "int",
    "Long": "int",
    "Double": "float",
    "Float": "float",
    "Boolean": "bool",
}
_SDK_KINDS = {"str": "str", "int": "int", "float": "float", "bool": "bool"}


def kind_of_annotation(annotation: Any) -> str:
    """str, int, float, bool, list, map or object."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return kind_of_annotation(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        return kind_of_annotation(options[0]) if len(options) == 1 else "union"
    if origin is list:
        return "list"
    if origin is dict:
        return "map"
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return "object"
    return getattr(annotation, "__name__", str(annotation))


def kind_of_reference(type_text: str) -> str:
    if type_text.lower().startswith("array"):
        return "list"
    if type_text.lower().startswith("map"):
        return "map"
    if type_text.endswith("object"):
        return "object"
    return _REFERENCE_KINDS.get(type_text, type_text)


def kind_of_sdk(type_text: str) -> str:
    if type_text.startswith("list["):
        return "list"
    if type_text.startswith("dict("):
        return "map"
    return _SDK_KINDS.get(type_text, "object")


def _tables() -> list[tuple[type[BaseModel], list[dict[str, Any]], str | None]]:
    tables = [(m, SECTIONS[s]["response_objects"][c], sdk) for m, s, c, sdk in NESTED]
    for operation, model in RESPONSE_MODELS.items():
        body = CATALOGUE[operation]["response_body"]
        if body and body[0]["name"] != "[Array]":
            tables.append((model, body, None))
    return tables


def _field_by_wire_name(model: type[BaseModel], wire: str) -> Any:
    return next(f for n, f in model.model_fields.items() if (f.alias or n) == wire)


@pytest.mark.parametrize(
    ("model", "rows", "sdk"), _tables(), ids=[m.__name__ for m, _, _ in _tables()]
)
def test_kinds_of_values_match_the_reference(
    model: type[BaseModel], rows: list[dict[str, Any]], sdk: str | None
) -> None:
    for row in rows:
        ours = kind_of_annotation(_field_by_wire_name(model, row["name"]).annotation)
        if (model, row["name"]) in TYPE_DEPARTURES:
            assert ours != kind_of_reference(row["type"]), "a departure that is none"
            continue
        assert ours == kind_of_reference(row["type"]), (row["name"], row["type"])


@pytest.mark.parametrize(("model", "section", "caption", "sdk"), [n for n in NESTED if n[3]])
def test_kinds_of_values_match_the_sdk(
    model: type[BaseModel], section: str, caption: str, sdk: str
) -> None:
    from huaweicloudsdkdws.v2 import model as sdk_models  # the SDK is a test oracle only

    sdk_class = getattr(sdk_models, sdk)
    for attribute, wire in sdk_class.attribute_map.items():
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == wire), None)
        if field is None:
            continue  # SDK-only fields are kept as extras
        theirs = kind_of_sdk(sdk_class.openapi_types[attribute])
        assert kind_of_annotation(field.annotation) == theirs, (wire, theirs)


ALL_MODELS = [
    obj
    for name in models.__all__
    if inspect.isclass(obj := getattr(models, name)) and issubclass(obj, DwsModel)
]


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_model_and_field_has_a_docstring(model: type[DwsModel]) -> None:
    assert model.__doc__ and model.__doc__.strip()
    undocumented = [name for name, field in model.model_fields.items() if not field.description]
    assert not undocumented
