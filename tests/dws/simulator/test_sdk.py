"""The official SDK (huaweicloudsdkdws, AK/SK credentials) against the whole simulator (auth,
core routes, control API, generic responder) served by uvicorn on 127.0.0.1: every answer
deserializes into the SDK's models with the expected values, and the SDK's signatures pass.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from dws.simulator import defaults
from dws.simulator.state import SimState
from dws.simulator.state.base import START_DELAY
from tests.dws.simulator.served import Served
from tests.dws.simulator.support import by_name, frozen_state

dws_v2 = pytest.importorskip("huaweicloudsdkdws.v2")
core_http = pytest.importorskip("huaweicloudsdkcore.http.http_config")
basic = pytest.importorskip("huaweicloudsdkcore.auth.credentials")


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with Served(frozen_state()) as s:
        yield s


@pytest.fixture
def state(served: Served) -> SimState:
    served.state.reset(0)
    return served.state


def make_sdk(served: Served, sk: str = defaults.SK) -> Any:
    """An SDK client with AK/SK credentials pointed at the served simulator."""
    config = core_http.HttpConfig.get_default_config()
    config.timeout = (5, 10)
    creds = basic.BasicCredentials(defaults.AK, sk, defaults.PROJECT_ID)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return (
            dws_v2.DwsClient.new_builder()
            .with_http_config(config)
            .with_credentials(creds)
            .with_endpoint(f"http://127.0.0.1:{served.port}")
            .build()
        )


@pytest.fixture
def sdk(served: Served) -> Any:
    return make_sdk(served)


def test_signatures_are_checked(served: Served, state: SimState) -> None:
    wrong = make_sdk(served, sk="not-the-secret-key")
    with pytest.raises(Exception) as err:
        wrong.list_clusters(dws_v2.ListClustersRequest())
    assert getattr(err.value, "status_code", None) == 401


def test_list_clusters_and_details(sdk: Any, state: SimState) -> None:
    listed = sdk.list_clusters(dws_v2.ListClustersRequest())
    assert isinstance(listed, dws_v2.ListClustersResponse)
    assert listed.count == 6 and all(isinstance(c, dws_v2.ClusterInfo) for c in listed.clusters)
    names = {c.name: c for c in listed.clusters}
    assert names["analytics"].sub_status == "READONLY"
    assert names["dev-sandbox"].status == "STOPPED"
    cid = by_name(state, "prod-dw")
    detail = sdk.list_cluster_details(dws_v2.ListClusterDetailsRequest(cluster_id=cid)).cluster
    assert isinstance(detail, dws_v2.ClusterDetail)
    assert detail.id == cid and detail.name == "prod-dw" and detail.port == 8000
    assert isinstance(detail.parameter_group, dws_v2.ParameterGroup)
    assert isinstance(detail.maintain_window, dws_v2.MaintainWindow)
    assert detail.public_endpoints[0].public_connect_info.endswith(":8000")
    assert detail.number_of_node == len(detail.nodes) == 6


def test_nodes(sdk: Any, state: SimState) -> None:
    cid = by_name(state, "prod-dw")
    resp = sdk.list_cluster_nodes(dws_v2.ListClusterNodesRequest(cluster_id=cid, limit=4))
    assert resp.count == 6 and len(resp.node_list) == 4 and resp.failed_count == 0
    assert all(isinstance(n, dws_v2.ClusterNodeInfo) for n in resp.node_list)
    assert {n.status for n in resp.node_list} == {"ACTIVE"}


def test_snapshots_list_details_create(sdk: Any, state: SimState) -> None:
    listed = sdk.list_snapshots(dws_v2.ListSnapshotsRequest())
    assert listed.count == len(state.snapshots)
    first = listed.snapshots[0]
    assert isinstance(first, dws_v2.Snapshots) and isinstance(first.size, float)
    detail = sdk.list_snapshot_details(dws_v2.ListSnapshotDetailsRequest(snapshot_id=first.id))
    assert isinstance(detail.snapshot, dws_v2.SnapshotDetail)
    assert detail.snapshot.name == first.name and detail.snapshot.datastore.type == "dws"
    cid = by_name(state, "reporting")
    body = dws_v2.CreateSnapshotRequestBody(
        snapshot=dws_v2.Snapshot(name="sdk-snap-1", cluster_id=cid, description="from the SDK")
    )
    created = sdk.create_snapshot(dws_v2.CreateSnapshotRequest(body=body))
    new_id = created.snapshot.id
    detail = sdk.list_snapshot_details(dws_v2.ListSnapshotDetailsRequest(snapshot_id=new_id))
    assert (detail.snapshot.status, detail.snapshot.finished) == ("CREATING", None)
    state.advance(START_DELAY + 300)
    detail = sdk.list_snapshot_details(dws_v2.ListSnapshotDetailsRequest(snapshot_id=new_id))
    assert detail.snapshot.status == "AVAILABLE"
    per_cluster = sdk.list_cluster_snapshots(dws_v2.ListClusterSnapshotsRequest(cluster_id=cid))
    assert new_id in {s.id for s in per_cluster.snapshots}


def test_restart_and_events(sdk: Any, state: SimState) -> None:
    cid = by_name(state, "reporting")
    body = dws_v2.RestartClusterRequestBody(restart={})
    sdk.restart_cluster(dws_v2.RestartClusterRequest(cluster_id=cid, body=body))
    state.advance(START_DELAY + 30)
    detail = sdk.list_cluster_details(dws_v2.ListClusterDetailsRequest(cluster_id=cid)).cluster
    assert detail.task_status == "REBOOTING" and detail.action_progress == {"REBOOTING": "25%"}
    with pytest.raises(Exception) as err:
        sdk.restart_cluster(dws_v2.RestartClusterRequest(cluster_id=cid, body=body))
    assert getattr(err.value, "status_code", None) == 400
    assert getattr(err.value, "error_code", None) == "DWS.5045"
    events = sdk.list_events(dws_v2.ListEventsRequest(offset="1", limit="3"))
    assert events.count == len(state.events)
    assert isinstance(events.events[0], dws_v2.EventResponse)
    assert (events.events[0].name, events.events[0].source_id) == ("rebootClusterStart", cid)
    assert isinstance(events.events[0].occur_time, int)


def test_alarms(sdk: Any, state: SimState) -> None:
    resp = sdk.list_alarm_detail(dws_v2.ListAlarmDetailRequest(time_zone="GMT+08:00"))
    assert resp.count == len(state.alarms)
    assert all(isinstance(a, dws_v2.AlarmDetailResponse) for a in resp.alarm_details)
    assert {a.alarm_status for a in resp.alarm_details} == {"0", "1"}
    newest = resp.alarm_details[0]
    assert (newest.resource_id_name, newest.alarm_id) == ("analytics", "DWS_2000000002")


def test_disaster_recovery_list_detail_switchover(sdk: Any, state: SimState) -> None:
    listed = sdk.list_disaster_recover(dws_v2.ListDisasterRecoverRequest())
    (dr,) = listed.disaster_recovery
    assert isinstance(dr, dws_v2.DisasterRecovery)
    assert (dr.status, dr.primary_cluster_name, dr.standby_cluster_name) == (
        "running",
        "prod-dw",
        "prod-dw-standby",
    )
    req = dws_v2.ShowDisasterDetailRequest(disaster_recovery_id=dr.id)
    detail = sdk.show_disaster_detail(req).disaster_recovery
    assert isinstance(detail.primary_cluster, dws_v2.DisasterRecoveryCluster)
    resp = sdk.switchover_disaster_recovery(
        dws_v2.SwitchoverDisasterRecoveryRequest(disaster_recovery_id=dr.id)
    )
    assert resp.disaster_recovery.id == dr.id
    assert sdk.show_disaster_detail(req).disaster_recovery.status == "running"  # not started
    state.advance(START_DELAY)
    assert sdk.show_disaster_detail(req).disaster_recovery.status == "switchovering"
    state.advance(300)
    detail = sdk.show_disaster_detail(req).disaster_recovery
    assert (detail.status, detail.primary_cluster.name) == ("running", "prod-dw-standby")


def test_job_of_a_start(sdk: Any, state: SimState) -> None:
    cid = by_name(state, "dev-sandbox")
    job_id = sdk.start_cluster(dws_v2.StartClusterRequest(cluster_id=cid)).job_id
    job = sdk.list_job_details(dws_v2.ListJobDetailsRequest(job_id=job_id))
    assert isinstance(job, dws_v2.ListJobDetailsResponse)
    assert (job.job_id, job.status, job.job_name) == (job_id, "RUNNING", "startClusterJob")
    state.advance(START_DELAY + 180)
    job = sdk.list_job_details(dws_v2.ListJobDetailsRequest(job_id=job_id))
    assert (job.status, job.progress) == ("SUCCESS", "100%")


def test_cluster_parameters(sdk: Any, state: SimState) -> None:
    cid = by_name(state, "reporting")
    configs = sdk.list_cluster_configurations(
        dws_v2.ListClusterConfigurationsRequest(cluster_id=cid)
    ).configurations
    assert all(isinstance(c, dws_v2.ClusterConfiguration) for c in configs)
    group = next(c for c in configs if c.type == "parameterGroup")
    params = sdk.list_cluster_configurations_parameter(
        dws_v2.ListClusterConfigurationsParameterRequest(cluster_id=cid, configuration_id=group.id)
    )
    by_param = {p.name: p for p in params.configurations}
    assert isinstance(by_param["max_connections"], dws_v2.ConfigurationParameter)
    assert by_param["max_connections"].restart_required is True
    assert [v.type for v in by_param["max_connections"].values] == ["cn", "dn"]
