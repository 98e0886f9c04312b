"""dws.models against the simulator: every modelled operation, called through the real client
over ASGI, answers with a body that our models read in strict mode.

The simulator is written from the reference, not from these models, so a disagreement here is
a mistake on one of the two sides.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from dws.client import DwsClient
from dws.config import DwsTarget
from dws.models import (
    RESPONSE_MODELS,
    ListClusterConfigurationsResponse,
    ListClusterDetailsResponse,
    ListClustersResponse,
    ListMetricsResponse,
    ListSnapshotsResponse,
)
from dws.simulator import SimClock, SimState, defaults
from dws.simulator.app import create_app

TARGET = DwsTarget(
    name="sim",
    endpoint="http://simulator.test",
    project_id=defaults.PROJECT_ID,
    ak=SecretStr(defaults.AK),
    sk=SecretStr(defaults.SK),
)
DAY_MS = 86_400_000


@pytest.fixture
async def sim() -> AsyncIterator[tuple[SimState, DwsClient]]:
    state = SimState(clock=SimClock(speed=0.0))
    async with DwsClient(TARGET, transport=httpx.ASGITransport(app=create_app(state))) as client:
        yield state, client


async def _calls(state: SimState, client: DwsClient) -> dict[str, tuple[dict[str, Any], Any]]:
    """Parameters (and body) for every modelled operation, taken from the demo fleet."""
    clusters = ListClustersResponse.strict_validate(await client.call("list_clusters")).clusters
    cluster = next(c for c in clusters if c.status == "AVAILABLE")
    cid = {"cluster_id": cluster.id}
    snapshots = ListSnapshotsResponse.strict_validate(await client.call("list_snapshots"))
    configs = ListClusterConfigurationsResponse.strict_validate(
        await client.call("list_cluster_configurations", cid)
    )
    page = {"offset": 0, "limit": 10}
    metrics = ListMetricsResponse.strict_validate(await client.call("list_metrics", cid | page))
    now_ms = int(state.now() * 1000)
    window = {"from": now_ms - DAY_MS, "to": now_ms}
    dr_id = {"disaster_recovery_id": next(iter(state.dr_tasks))}
    calls: dict[str, tuple[dict[str, Any], Any]] = {name: ({}, None) for name in RESPONSE_MODELS}
    for name in (
        "list_cluster_details",
        "list_cluster_nodes",
        "list_cluster_cn",
        "show_cluster_redistribution",
        "list_cluster_configurations",
        "list_snapshot_policy",
        "list_cluster_snapshots",
        "list_cluster_tags",
    ):
        calls[name] = (cid, None)
    calls |= {
        "list_cluster_configurations_parameter": (
            cid | {"configuration_id": configs.configurations[0].id},
            None,
        ),
        "list_snapshot_details": ({"snapshot_id": snapshots.snapshots[0].id}, None),
        "list_alarm_detail": ({"time_zone": "GMT+08:00"}, None),
        "list_alarm_statistic": ({"time_zone": "GMT+08:00"}, None),
        "show_disaster_detail": (dr_id, None),
        "show_disaster_progress": (dr_id, None),
        "list_job_details": ({"job_id": state.new_job("probe", 60.0, cluster.id).id}, None),
        "list_host_overview": (cid | page, None),
        "list_host_disk": (cid | page, None),
        "list_monitor_indicator_data": (
            window | {"indicator_name": "cpu_usage", "dim0": cluster.id},
            None,
        ),
        "list_metrics": (cid | page, None),
        "list_metrics_data": (
            cid | page | window | {"metric_name": metrics.data[0].metric_name},
            None,
        ),
        "list_queries": (
            cid,
            {
                "cluster_id": cluster.id,
                "project_id": defaults.PROJECT_ID,
                "offset": "0",
                "limit": "10",
                "conditions": [],
                "target": "db_queries",
            },
        ),
    }
    return calls


async def test_every_modelled_operation_answers_what_the_models_read_strictly(
    sim: tuple[SimState, DwsClient],
) -> None:
    state, client = sim
    calls = await _calls(state, client)
    failures: dict[str, str] = {}
    for name, (params, body) in sorted(calls.items()):
        data = await client.call(name, params, body=body)
        try:
            RESPONSE_MODELS[name].strict_validate(data)
        except ValueError as exc:  # ValidationError is a ValueError
            failures[name] = str(exc).splitlines()[0] + " / " + str(exc).splitlines()[1]
    assert not failures, failures


async def test_cluster_details_from_the_simulator_are_useful(
    sim: tuple[SimState, DwsClient],
) -> None:
    _, client = sim
    clusters = ListClustersResponse.strict_validate(await client.call("list_clusters"))
    assert clusters.count == len(clusters.clusters) > 0
    for info in clusters.clusters:
        data = await client.call("list_cluster_details", {"cluster_id": info.id})
        detail = ListClusterDetailsResponse.strict_validate(data).cluster
        assert detail is not None and (detail.id, detail.name) == (info.id, info.name)
        assert detail.created_at is not None
