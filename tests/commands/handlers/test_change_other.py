"""Changing commands on snapshots, DR pairs and the administrator password."""

from __future__ import annotations

import logging

import pytest

from commands.registry import CommandFailure
from tests.commands.handlers.conftest import Sim, field

DONE = 4 * 3600.0
PASSWORD = "Zq7!tRuv-93xKp"


async def test_snapshot_create(sim: Sim) -> None:
    plan = await sim.plan("/dws snapshot create reporting --name before-upgrade")
    assert plan.summary == "Take snapshot before-upgrade of cluster reporting"
    execution = await sim.change(
        '/dws snapshot create reporting --name before-upgrade --description "pre 9.1"'
    )
    snap_id = field(execution.reply, "snapshot id")
    assert snap_id in sim.state.snapshots and execution.track
    sim.advance(DONE)
    shown = await sim.read("/dws snapshot before-upgrade")
    assert field(shown, "status") == "AVAILABLE"


async def test_snapshot_create_default_name_and_rules(sim: Sim) -> None:
    plan = await sim.plan("/dws snapshot create reporting")
    assert plan.params["name"].startswith("reporting-")
    with pytest.raises(CommandFailure, match="4 to 64 letters"):
        await sim.plan("/dws snapshot create reporting --name 9bad")


async def test_snapshot_create_refused_on_a_dr_standby(sim: Sim) -> None:
    with pytest.raises(CommandFailure, match="no backup on the DR cluster"):
        await sim.plan("/dws snapshot create prod-dw-standby")


async def test_snapshot_delete_manual_only(sim: Sim) -> None:
    auto = next(s for s in sim.state.snapshots.values() if s.type != "MANUAL")
    with pytest.raises(CommandFailure, match="only manual ones"):
        await sim.plan(f"/dws snapshot delete {auto.id}")
    manual = next(s for s in sim.state.snapshots.values() if s.type == "MANUAL")
    execution = await sim.change(f"/dws snapshot delete {manual.name}")
    assert execution.reply.title == f"Snapshot {manual.name} deleted"
    assert manual.id not in sim.state.snapshots


async def test_snapshot_restore_into_a_new_cluster(sim: Sim) -> None:
    snap = next(s for s in sim.state.snapshots.values() if s.cluster_name == "reporting")
    with pytest.raises(CommandFailure, match="already exists"):
        await sim.plan(f"/dws snapshot restore {snap.id} --name analytics")
    execution = await sim.change(f"/dws snapshot restore {snap.id} --name reporting-copy")
    new_id = field(execution.reply, "new cluster id")
    assert sim.state.clusters[new_id].name == "reporting-copy"


async def test_dr_switchover_then_failover_and_recovery(sim: Sim) -> None:
    with pytest.raises(CommandFailure, match="recovery needs it abnormal"):
        await sim.plan("/dws dr recovery prod-dw-dr")
    plan = await sim.plan("/dws dr switchover prod-dw-dr")
    assert plan.state["dr_status"] == "running"
    await sim.change("/dws dr switchover prod-dw-dr")
    dr = next(iter(sim.state.dr_tasks.values()))
    sim.advance(sim.state.start_delay)
    assert dr.status == "switchovering"
    with pytest.raises(CommandFailure, match="switchover needs it running"):
        await sim.plan("/dws dr switchover prod-dw-dr")
    sim.advance(DONE)
    await sim.change("/dws dr failover prod-dw-dr")
    sim.advance(DONE)
    assert dr.status == "abnormal"
    await sim.change("/dws dr recovery prod-dw-dr")
    sim.advance(DONE)
    assert dr.status == "running"


async def test_reset_password_sends_the_secret_and_shows_it_nowhere(
    sim: Sim, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    c = sim.cluster("reporting")
    before = c.password_set
    sim.advance(60)
    plan = await sim.plan("/dws reset-password reporting", {"password": PASSWORD})
    execution = await sim.change("/dws reset-password reporting", {"password": PASSWORD})
    assert c.password_set > before
    shown = repr(plan) + repr(execution) + caplog.text
    assert PASSWORD not in shown


async def test_reset_password_weak_or_missing_and_dr(sim: Sim) -> None:
    with pytest.raises(CommandFailure, match="12 to 32 characters") as info:
        await sim.plan("/dws reset-password reporting", {"password": "short"})
    assert "short" not in str(info.value)
    with pytest.raises(CommandFailure, match="no longer available"):
        await sim.change("/dws reset-password reporting")
    with pytest.raises(CommandFailure, match="running DR pair"):
        await sim.plan("/dws reset-password prod-dw", {"password": PASSWORD})
