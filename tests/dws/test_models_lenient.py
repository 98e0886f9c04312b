"""dws.models in lenient mode (what the service really sends) and in strict mode (what the
tests demand), plus the helpers the models offer."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

import dws.models as models
from dws.models import (
    AlarmStatistic,
    ClusterDetail,
    ClusterInfo,
    ConfigurationParameter,
    DwsModel,
    HostDisk,
    JobDetail,
    ListClustersResponse,
    ListHostDiskResponse,
    ListQuotasResponse,
    RedisInfo,
    TrendQueryData,
    parse_time,
    strict_models,
)

ALL_MODELS = [
    obj
    for name in models.__all__
    if inspect.isclass(obj := getattr(models, name))
    and issubclass(obj, DwsModel)
    and obj is not DwsModel
]


def test_numbers_as_strings_and_strings_as_numbers() -> None:
    parsed = ListClustersResponse.model_validate(
        {"clusters": [{"id": 17, "port": "8000", "number_of_node": " 3 ", "version": 8.1}]}
        | {"count": "1"}
    )
    cluster = parsed.clusters[0]
    assert (cluster.id, cluster.port, cluster.number_of_node, cluster.version) == (
        "17",
        8000,
        3,
        "8.1",
    )
    assert parsed.count == 1
    disk = HostDisk.model_validate({"total": "49", "await": "0.21", "util": 1})
    assert (disk.total, disk.await_, disk.util) == (49.0, 0.21, 1.0)
    param = ConfigurationParameter.model_validate({"name": "x", "readonly": "true"})
    assert param.readonly is True


def test_placeholders_and_unreadable_numbers_become_none_in_lenient_mode() -> None:
    cluster = ClusterInfo.model_validate({"id": "c", "port": "", "recent_event": "N/A"})
    assert cluster.port is None and cluster.recent_event is None
    assert ClusterInfo.model_validate({"id": "c", "port": "eight"}).port is None


def test_unreadable_numbers_fail_in_strict_mode() -> None:
    with pytest.raises(ValidationError, match="port"):
        ClusterInfo.strict_validate({"id": "c", "port": "eight"})
    assert ClusterInfo.strict_validate({"id": "c", "port": "null"}).port is None


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_field_may_be_null(model: type[DwsModel]) -> None:
    required = {name for name, field in model.model_fields.items() if field.is_required()}
    data: dict[str, Any] = {name: None for name in model.model_fields}
    data.update(dict.fromkeys(required, "id-1"))
    if model in (models.BatchCreateResourceTagsRequest, models.BatchDeleteResourceTagsRequest):
        data["tags"] = [{"key": "k"}]
    model.strict_validate(data)
    assert required <= {"id", "code", "event_id", "job_id", "name", "key", "tags"}


def test_list_fields_read_null_as_empty() -> None:
    detail = ClusterDetail.model_validate({"id": "c", "nodes": None, "private_ip": None})
    assert detail.nodes == [] and detail.private_ip == [] and detail.tags == []


def test_identity_is_required_even_when_lenient() -> None:
    with pytest.raises(ValidationError, match="id"):
        ClusterInfo.model_validate({"name": "no id"})


def test_unknown_fields_are_kept_and_round_trip() -> None:
    data = {
        "clusters": [{"id": "c", "brand_new": {"a": 1}, "public_ip": {"eip_id": "e", "x": 2}}],
        "count": 1,
        "page_token": "abc",
    }
    parsed = ListClustersResponse.model_validate(data)
    assert parsed.model_extra == {"page_token": "abc"}
    assert parsed.clusters[0].model_extra == {"brand_new": {"a": 1}}
    dumped = parsed.model_dump(exclude_unset=True)
    assert dumped == data
    assert ListClustersResponse.model_validate(dumped) == parsed


def test_strict_mode_names_unknown_fields_at_any_depth() -> None:
    with pytest.raises(ValidationError, match=r"unknown field.*ClusterInfo: nmae"):
        ListClustersResponse.strict_validate({"clusters": [{"id": "c", "nmae": "typo"}]})
    with pytest.raises(ValidationError, match="PublicIp: eip"):
        ClusterInfo.strict_validate({"id": "c", "public_ip": {"eip": "e"}})


def test_strict_models_context_applies_to_plain_model_validate() -> None:
    data = {"clusters": [{"id": "c", "extra": 1}]}
    ListClustersResponse.model_validate(data)
    with strict_models(), pytest.raises(ValidationError, match="extra"):
        ListClustersResponse.model_validate(data)
    with strict_models(), pytest.raises(ValidationError, match="surplus"):
        ListHostDiskResponse.model_validate([{"surplus": 1}])
    ListClustersResponse.model_validate(data)  # lenient again after the block


def test_other_spellings_are_accepted_and_not_reported_as_unknown() -> None:
    info = RedisInfo.strict_validate(
        {
            "redis_progress": {"total_progress": "40"},
            "redis_conf": {
                "parallel_jobs": 4,
                "parallelJobs": 4,
                "schedule_conf": {"scheduleStart": "22:00"},
            },
        }
    )
    assert info.redis_process is not None and info.redis_process.total_progress == 40
    assert info.redis_conf is not None and info.redis_conf.parallel_jobs == 4
    assert info.redis_conf.schedule_conf is not None
    assert info.redis_conf.schedule_conf.schedule_start == "22:00"


def test_bare_array_answers_behave_like_lists() -> None:
    disks = ListHostDiskResponse.model_validate([{"disk_name": "vda", "await": 1.5}])
    assert len(disks) == 1 and [d.disk_name for d in disks] == ["vda"]
    assert disks.model_dump(by_alias=True)[0]["await"] == 1.5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-02-10T14:28:14Z", datetime(2016, 2, 10, 14, 28, 14, tzinfo=UTC)),
        ("2022-10-31T02:54:54", datetime(2022, 10, 31, 2, 54, 54, tzinfo=UTC)),
        ("2022-10-27 08:11:29", datetime(2022, 10, 27, 8, 11, 29, tzinfo=UTC)),
        ("2023-03-27T20:16:34+08:00", datetime(2023, 3, 27, 12, 16, 34, tzinfo=UTC)),
        (1664331248330, datetime(2022, 9, 28, 2, 14, 8, 330000, tzinfo=UTC)),
        ("1667700000000", datetime(2022, 11, 6, 2, 0, tzinfo=UTC)),
        (1698998138, datetime(2023, 11, 3, 7, 55, 38, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("null", None),
        ("soon", None),
        (True, None),
    ],
)
def test_parse_time(value: Any, expected: datetime | None) -> None:
    assert parse_time(value) == expected


def test_cluster_helpers() -> None:
    cluster = ClusterInfo.model_validate(
        {
            "id": "c",
            "status": "AVAILABLE",
            "sub_status": "UNBALANCED | READONLY",
            "created": "2016-02-10T14:26:14Z",
            "tags": [{"key": "env", "value": "prod"}, {"key": "team"}],
        }
    )
    assert cluster.tag_map == {"env": "prod", "team": ""}
    assert cluster.created_at == datetime(2016, 2, 10, 14, 26, 14, tzinfo=UTC)


def test_job_helpers() -> None:
    job = JobDetail.model_validate({"job_id": "j", "status": "RUNNING", "progress": "42.6%"})
    assert (job.percent, job.finished) == (43, False)
    assert JobDetail.model_validate({"job_id": "j", "progress": "-"}).percent is None
    assert JobDetail.model_validate({"job_id": "j", "status": "SUCCESS"}).finished


def test_small_helpers() -> None:
    stats = AlarmStatistic.model_validate({"urgent": 17, "important": "2", "minor": "x"})
    assert stats.counts == {"urgent": 17, "important": 2, "minor": 0, "prompt": 0}
    param = ConfigurationParameter.model_validate(
        {"name": "p", "values": [{"type": "cn", "value": "on"}, {"type": "dn", "value": "off"}]}
    )
    assert (param.value_for("DN"), param.value_for("gtm")) == ("off", None)
    quotas = ListQuotasResponse.model_validate(
        {"quotas": {"resources": [{"type": "ram", "used": "24", "quota": "1000", "unit": "GB"}]}}
    ).quotas
    assert quotas is not None and quotas.get("ram") is not None and quotas.get("disk") is None
    point = TrendQueryData.model_validate({"result": "10.20", "timestamp": "1671058114000"})
    assert point.value == 10.2 and point.at is not None and point.at.year == 2022
    sub = models.AlarmSubscription.model_validate({"id": "s", "alarm_level": "urgent, minor,"})
    assert sub.levels == ["urgent", "minor"]
