"""Lifecycles of the simulated state on the frozen clock: progress, transitions, events, rules."""

from __future__ import annotations

import pytest

from dws.simulator.errors import SimError
from dws.simulator.state import Fleet, SimState
from dws.simulator.state.base import START_DELAY
from dws.simulator.views import action_progress, cluster_detail, task_status
from tests.dws.simulator.support import by_name, frozen_state


def _names(state: SimState, n: int) -> list[str]:
    return [e.spec.name for e in state.events.newest(n)]


def test_same_seed_same_fleet_other_seed_other_ids() -> None:
    a, b, c = frozen_state(3), frozen_state(3), frozen_state(4)
    assert [x.id for x in a.clusters.values()] == [x.id for x in b.clusters.values()]
    assert [e.event_id for e in a.events.newest(50)] == [e.event_id for e in b.events.newest(50)]
    assert set(a.clusters).isdisjoint(c.clusters)


def test_demo_fleet_has_the_promised_shapes(state: SimState) -> None:
    clusters = list(state.clusters.values())
    assert len(clusters) == 6
    assert any("READONLY" in c.sub_status for c in clusters)
    assert any("UNBALANCED" in c.sub_status for c in clusters)
    assert any(c.status == "STOPPED" for c in clusters)
    (dr,) = state.dr_tasks.values()
    assert dr.status == "running" and {dr.primary_id, dr.standby_id} <= set(state.clusters)
    assert state.snapshots and state.alarms and state.event_subs and state.alarm_subs


def test_restart_progress_and_completion(state: SimState) -> None:
    cid = by_name(state, "reporting")
    cluster = state.clusters[cid]
    before = _names(state, 1)
    job_id = state.restart_cluster(cid)
    assert state.jobs[job_id or ""].status == "RUNNING"  # accepted: the job exists at once
    state.advance(START_DELAY - 1)  # but the cluster shows nothing until the restart starts
    assert task_status(state, cluster) is None and action_progress(state, cluster) == {}
    assert _names(state, 1) == before
    state.advance(1)
    assert task_status(state, cluster) == "REBOOTING"
    assert action_progress(state, cluster) == {"REBOOTING": "0%"}
    assert _names(state, 1) == ["rebootClusterStart"]
    state.advance(60)
    assert action_progress(state, cluster) == {"REBOOTING": "50%"}
    assert state.jobs[job_id or ""].status == "RUNNING"
    state.advance(60)
    assert task_status(state, cluster) is None and action_progress(state, cluster) == {}
    assert _names(state, 1) == ["rebootClusterSuccess"]
    assert state.jobs[job_id or ""].status == "SUCCESS"


def test_restart_while_restarting_is_400(state: SimState) -> None:
    cid = by_name(state, "reporting")
    state.restart_cluster(cid)
    with pytest.raises(SimError) as err:
        state.restart_cluster(cid)
    assert (err.value.status, err.value.code) == (400, "DWS.5045")
    assert "REBOOTING" in err.value.msg


def test_dr_pair_cannot_be_restarted_or_scaled(state: SimState) -> None:
    for name in ("prod-dw", "prod-dw-standby"):
        cid = by_name(state, name)
        with pytest.raises(SimError, match="disaster-recovery"):
            state.restart_cluster(cid)
        with pytest.raises(SimError, match="disaster-recovery"):
            state.resize_cluster(cid, 3, False)
        assert state.clusters[cid].task is None


def test_tick_is_idempotent(state: SimState) -> None:
    cid = by_name(state, "reporting")
    state.restart_cluster(cid)
    state.clock.advance(500)
    count = len(state.events)
    assert state.tick() == 2  # the start, then the completion
    assert state.tick() == 0
    assert len(state.events) == count + 2


def test_stop_then_start(state: SimState) -> None:
    cid = by_name(state, "reporting")
    state.stop_cluster(cid)
    assert state.clusters[cid].status == "AVAILABLE"  # accepted, not started yet
    state.advance(START_DELAY)
    assert state.clusters[cid].status == "STOPING"
    with pytest.raises(SimError):
        state.start_cluster(cid)
    state.advance(600)
    assert state.clusters[cid].status == "STOPPED"
    with pytest.raises(SimError):
        state.restart_cluster(cid)
    state.start_cluster(cid)
    state.advance(START_DELAY)
    assert state.clusters[cid].status == "STARTING"
    state.advance(600)
    assert state.clusters[cid].status == "AVAILABLE"
    assert _names(state, 2) == ["startClusterSuccess", "startClusterStart"]


def test_snapshot_creating_then_available(state: SimState) -> None:
    cid = by_name(state, "reporting")
    snap = state.create_snapshot(cid, "nightly-1", "before upgrade")
    assert snap.status == "CREATING" and snap.finished is None
    state.advance(START_DELAY)
    assert task_status(state, state.clusters[cid]) == "SNAPSHOTTING"
    with pytest.raises(SimError):
        state.restart_cluster(cid)
    with pytest.raises(SimError) as dup:
        state.create_snapshot(by_name(state, "analytics"), "NIGHTLY-1")
    assert dup.value.status == 409
    state.advance(301)
    assert snap.status == "AVAILABLE" and snap.finished is not None
    assert state.clusters[cid].task is None
    assert _names(state, 1) == ["createBackupSuccess"]


def test_restore_to_a_new_cluster(state: SimState) -> None:
    cid = by_name(state, "reporting")
    snap_id = state.snapshots_by_cluster[cid][0]
    new = state.restore_snapshot(snap_id, "reporting-copy")
    assert new.status == "CREATING"
    assert action_progress(state, new) == {"RESTORING": "0%"}
    with pytest.raises(SimError) as err:
        state.restore_snapshot(snap_id, "reporting-copy")
    assert err.value.status == 409
    state.advance(900)
    assert new.status == "AVAILABLE"
    assert new.number_of_node == state.clusters[cid].number_of_node
    assert _names(state, 1) == ["restoreClusterSuccess"]


def test_create_and_delete(state: SimState) -> None:
    spec = {
        "name": "fresh-one",
        "node_type": "dws.d2.xlarge",
        "number_of_node": 3,
        "user_name": "dbadmin",
        "user_pwd": "Secure#Passw0rd1",
        "vpc_id": "v",
        "subnet_id": "s",
        "security_group_id": "g",
    }
    cluster = state.create_cluster(spec)
    assert cluster.status == "CREATING"
    state.advance(600)
    assert cluster.status == "AVAILABLE"
    keep = state.create_snapshot(cluster.id, "keep-me")
    state.advance(START_DELAY + 300)
    state.delete_cluster(cluster.id, keep_manual=1)
    state.advance(START_DELAY)
    assert cluster.status == "DELETING"
    state.advance(60)
    assert cluster.id not in state.clusters
    assert keep.id in state.snapshots
    assert _names(state, 1) == ["deleteClusterSuccess"]
    again = state.restore_snapshot(keep.id, "fresh-one-again")
    state.advance(900)
    assert (again.status, again.number_of_node) == ("AVAILABLE", 3)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"name": "1bad"}, "DWS.5057"),
        ({"user_pwd": "short"}, "DWS.5144"),
        ({"user_pwd": "Xdbadmin#12345"}, "DWS.5145"),
        ({"node_type": "nope"}, "DWS.5006"),
        ({"availability_zone": "mars-1"}, "DWS.5011"),
        ({"number_of_node": 2}, "DWS.5047"),
        ({"name": "reporting"}, "DWS.5050"),
    ],
)
def test_create_rules(state: SimState, change: dict[str, object], code: str) -> None:
    spec = {
        "name": "fresh-one",
        "node_type": "dws.d2.xlarge",
        "number_of_node": 3,
        "user_name": "dbadmin",
        "user_pwd": "Secure#Passw0rd1",
        "vpc_id": "v",
        "subnet_id": "s",
        **change,
    }
    with pytest.raises(SimError) as err:
        state.create_cluster(spec)
    assert err.value.code == code


def test_scale_out_redistribution_pause_resume(state: SimState) -> None:
    cid = by_name(state, "reporting")
    cluster = state.clusters[cid]
    state.resize_cluster(cid, 3, False)
    state.advance(START_DELAY)
    assert task_status(state, cluster) == "GROWING"
    assert cluster_detail(state, cluster)["resize_info"]["target_node_num"] == 6
    state.advance(600)
    assert cluster.number_of_node == 6
    assert task_status(state, cluster) == "REDISTRIBUTING"  # follows at once, no new delay
    assert "REDISTRIBUTING" in cluster.sub_status
    state.advance(450)
    state.pause_redistribution(cid)
    assert task_status(state, cluster) == "REDISTRIBUTION_PAUSED"
    state.advance(5000)  # nothing moves while paused
    assert action_progress(state, cluster) == {"REDISTRIBUTING": "50%"}
    with pytest.raises(SimError):
        state.pause_redistribution(cid)
    state.resume_redistribution(cid)
    state.advance(449)
    assert cluster.task is not None
    state.advance(1)
    assert cluster.task is None and cluster.sub_status == ["NORMAL"]
    assert _names(state, 1) == ["redistributeClusterSuccess"]


def test_idle_nodes_then_manual_redistribution(state: SimState) -> None:
    cid = by_name(state, "reporting")
    with pytest.raises(SimError):
        state.execute_redistribution(cid, "online", 4)
    state.resize_cluster(cid, 3, True)
    state.advance(START_DELAY + 600)
    assert task_status(state, state.clusters[cid]) == "WAITING_REDISTRIBUTION"
    with pytest.raises(SimError, match="waiting for redistribution"):
        state.resize_cluster(cid, 3, False)
    with pytest.raises(SimError):
        state.execute_redistribution(cid, "sideways", 4)
    state.execute_redistribution(cid, "offline", 8)
    with pytest.raises(SimError, match="no running redistribution"):
        state.pause_redistribution(cid)  # accepted, not started: nothing to pause yet
    state.advance(START_DELAY)
    assert task_status(state, state.clusters[cid]) == "REDISTRIBUTING"


def test_switchback_unbalanced_to_normal(state: SimState) -> None:
    cid = by_name(state, "etl-batch")
    with pytest.raises(SimError):
        state.switchback(by_name(state, "reporting"))
    job = state.switchback(cid)
    state.advance(START_DELAY)
    assert task_status(state, state.clusters[cid]) == "ACTIVE_STANDY_SWITCHOVER"
    state.advance(60)
    assert state.clusters[cid].sub_status == ["NORMAL"]
    assert state.jobs[job or ""].status == "SUCCESS"


def test_cancel_readonly(state: SimState) -> None:
    cid = by_name(state, "analytics")
    state.cancel_readonly(cid)
    assert state.clusters[cid].sub_status == ["NORMAL"]
    assert _names(state, 1) == ["cancelReadonlyClusterSuccess"]
    with pytest.raises(SimError):
        state.cancel_readonly(cid)


def test_reset_password_rules(state: SimState) -> None:
    cid = by_name(state, "reporting")
    with pytest.raises(SimError) as err:
        state.reset_password(cid, "weak")
    assert err.value.code == "DWS.5144"
    state.reset_password(cid, "Another#Passw0rd")
    assert _names(state, 1) == ["resetPasswordSuccess"]


def test_parameter_change_needing_restart(state: SimState) -> None:
    cid = by_name(state, "reporting")
    cluster, configs = state.configurations(cid)
    config = configs[-1][0]
    with pytest.raises(SimError) as err:
        state.update_configuration(cid, config, [{"type": "CN", "name": "nope", "value": "1"}])
    assert err.value.code == "DWS.5037"
    with pytest.raises(SimError) as err:
        state.update_configuration(
            cid, config, [{"type": "DN", "name": "max_connections", "value": "1"}]
        )
    assert err.value.code == "DWS.5038"
    state.update_configuration(
        cid, config, [{"type": "DN", "name": "max_connections", "value": "8000"}]
    )
    state.advance(START_DELAY)
    assert cluster.param_status == "Applying"
    state.advance(30)
    assert cluster.param_status == "Pending-Reboot"
    rows = {r["param"].name: r for r in state.parameters(cid, config)}
    assert (rows["max_connections"]["cn"], rows["max_connections"]["dn"]) == ("5000", "8000")
    state.restart_cluster(cid)
    state.advance(START_DELAY + 120)
    assert cluster.param_status == "In-Sync"


def test_dr_switchover_failover_recovery(state: SimState) -> None:
    (dr,) = state.dr_tasks.values()
    primary, standby = dr.primary_id, dr.standby_id
    state.dr_action(dr.id, "switchover")
    assert dr.status == "running"  # accepted, not started yet
    state.advance(START_DELAY)
    assert dr.status == "switchovering"
    with pytest.raises(SimError):
        state.dr_action(dr.id, "switchover")
    state.advance(150)
    assert dr.task is not None and dr.task.progress(state.now()) == 50
    state.advance(150)
    assert (dr.primary_id, dr.standby_id, dr.status) == (standby, primary, "running")
    with pytest.raises(SimError):
        state.dr_action(dr.id, "recovery")
    state.dr_action(dr.id, "failover")
    state.advance(START_DELAY + 180)
    assert dr.status == "abnormal" and dr.primary_id == primary
    state.dr_action(dr.id, "recovery")
    state.advance(START_DELAY)
    assert dr.status == "starting"
    state.advance(600)
    assert dr.status == "running"
    assert _names(state, 1) == ["recoveryDisasterRecoverySuccess"]


def test_alarms_raise_and_clear(state: SimState) -> None:
    cid = by_name(state, "reporting")
    alarm = state.raise_alarm(cid, "DWS_2000000001", level="urgent")
    assert alarm.status == "0" and state.alarms_newest_first()[0] is alarm
    state.clear_alarm(alarm.id)
    assert alarm.status == "1" and alarm.cleared is not None
    today = state.alarm_statistics()[-1]
    assert today["urgent"] >= 1
    with pytest.raises(SimError):
        state.raise_alarm(cid, "DWS_bogus")
    with pytest.raises(SimError) as err:
        state.clear_alarm("missing")
    assert err.value.status == 404


def test_emit_event_for_the_control_api(state: SimState) -> None:
    cid = by_name(state, "reporting")
    event = state.emit_event("clusterReadonly", cid)
    assert event.source_name == "reporting" and state.events.newest(1) == [event]
    with pytest.raises(SimError):
        state.emit_event("noSuchEvent", cid)


def test_reset_rebuilds_the_fleet(state: SimState) -> None:
    ids = set(state.clusters)
    state.restart_cluster(by_name(state, "reporting"))
    state.reset()
    assert set(state.clusters) == ids
    assert all(c.task is None for c in state.clusters.values())
    state.reset(seed=9)
    assert set(state.clusters).isdisjoint(ids)


def test_generated_fleet_pages_events_by_slice() -> None:
    fleet = Fleet.generate(50, 2000)
    assert len(fleet.clusters) == 50 and len(fleet.events) == 2000
    page = fleet.events.page(3, 100)
    assert len(page) == 100
    times = [e.occur_ms for e in page]
    assert times == sorted(times, reverse=True)
    newest = fleet.events.page(1, 1)[0]
    assert newest.occur_ms >= page[0].occur_ms
    one = next(iter(fleet.clusters))
    assert sum(1 for _ in fleet.events.page(1, 2000, one)) == fleet.events.count(one)


def test_alarm_statistics_count_days_in_the_asked_zone(state: SimState) -> None:
    state.advance(11 * 3600)  # 23:00 UTC, 07:00 the next day at GMT+08:00
    state.raise_alarm(by_name(state, "reporting"), "DWS_2000000021", level="prompt")
    utc, east = state.alarm_statistics(), state.alarm_statistics(offset_hours=8)
    assert (utc[-1]["date"], east[-1]["date"]) == ("2026-03-01", "2026-03-02")
    assert utc[-1]["prompt"] == east[-1]["prompt"] == 1
    assert len(utc) == len(east) == 7


def test_reset_of_a_generated_fleet_generates_again() -> None:
    fleet = Fleet.generate(30, 300, seed=2)
    ids = set(fleet.clusters)
    fleet.reset()
    assert set(fleet.clusters) == ids and len(fleet.events) == 300
    fleet.reset(seed=3)
    assert len(fleet.clusters) == 30 and set(fleet.clusters).isdisjoint(ids)


def test_state_methods_invalidate_cached_answers(state: SimState) -> None:
    from dws.simulator.views import cluster_detail_bytes

    cluster = state.clusters[by_name(state, "reporting")]
    before = cluster_detail_bytes(state, cluster)
    state.add_tags(cluster.id, [{"key": "owner", "value": "ops"}])
    assert b'"owner"' in cluster_detail_bytes(state, cluster) != before
    state.delete_tags(cluster.id, [{"key": "owner", "value": "ops"}])
    assert b'"owner"' not in cluster_detail_bytes(state, cluster)
