"""Changing commands on one cluster: plan (preconditions, bound state) and execute (one call)."""

from __future__ import annotations

import pytest

from commands.registry import CommandFailure, registry
from tests.commands.handlers.conftest import Sim

DONE = 4 * 3600.0  # longer than any simulated operation


async def test_restart_plan_execute_and_settle(sim: Sim) -> None:
    plan = await sim.plan("/dws restart reporting")
    c = sim.cluster("reporting")
    assert plan.summary == "Restart cluster reporting"
    assert plan.cluster_id == c.id and plan.params == {"cluster_id": c.id}
    assert plan.state == {
        "status": "AVAILABLE",
        "sub_status": "NORMAL",
        "task_status": None,
        "nodes": c.number_of_node,
        "dr": None,
    }
    assert sim.posts("/restart") == []  # planning never changes anything
    execution = await sim.change("/dws restart reporting")
    assert execution.track and execution.settled_statuses == ("AVAILABLE",)
    assert len(sim.posts("/restart")) == 1
    assert c.task is not None and c.task.kind == "REBOOTING"
    sim.advance(sim.state.start_delay)  # DWS accepted it; it shows once it has started
    with pytest.raises(CommandFailure, match="must be AVAILABLE with no task"):
        await sim.plan("/dws restart reporting")
    sim.advance(DONE)
    assert (await sim.plan("/dws restart reporting")).state["task_status"] is None


async def test_restart_refused_in_a_running_dr_pair(sim: Sim) -> None:
    for name in ("prod-dw", "prod-dw-standby"):
        with pytest.raises(CommandFailure, match="running DR pair prod-dw-dr"):
            await sim.plan(f"/dws restart {name}")
    assert sim.posts("/restart") == []


async def test_state_changed_voids_a_stale_plan(sim: Sim) -> None:
    spec = registry.get("restart")
    assert spec is not None and spec.change is not None
    before = await sim.plan("/dws restart reporting")
    sim.state.resize_cluster(sim.cluster("reporting").id, 1, False)
    sim.advance(DONE)  # the scale-out, then the redistribution that follows it
    sim.advance(DONE)
    after = await sim.plan("/dws restart reporting")
    reason = spec.change.state_changed(before.state, after.state)
    assert reason is not None and "nodes" in reason


async def test_stop_then_start(sim: Sim) -> None:
    with pytest.raises(CommandFailure, match="already running"):
        await sim.plan("/dws start reporting")
    stop = await sim.change("/dws stop reporting")
    assert stop.job_id and stop.settled_statuses == ("STOPPED",)
    sim.advance(DONE)
    assert sim.cluster("reporting").status == "STOPPED"
    with pytest.raises(CommandFailure, match="must be AVAILABLE"):
        await sim.plan("/dws stop reporting")
    start = await sim.change("/dws start reporting")
    assert start.job_id and len(sim.posts("/start")) == 1
    sim.advance(DONE)
    assert sim.cluster("reporting").status == "AVAILABLE"


async def test_start_a_seeded_stopped_cluster(sim: Sim) -> None:
    execution = await sim.change("/dws start dev-sandbox")
    assert execution.track
    sim.advance(sim.state.start_delay)
    assert sim.cluster("dev-sandbox").status == "STARTING"


async def test_switchback_only_when_unbalanced(sim: Sim) -> None:
    with pytest.raises(CommandFailure, match="not UNBALANCED"):
        await sim.plan("/dws switchback reporting")
    execution = await sim.change("/dws switchback etl-batch")
    assert execution.job_id
    sim.advance(DONE)
    assert "UNBALANCED" not in sim.cluster("etl-batch").sub_status


async def test_cancel_readonly_only_when_readonly(sim: Sim) -> None:
    with pytest.raises(CommandFailure, match="is not read-only"):
        await sim.plan("/dws cancel-readonly reporting")
    execution = await sim.change("/dws cancel-readonly analytics")
    assert "READONLY" not in sim.cluster("analytics").sub_status  # at once: nothing to track
    assert not execution.track


async def test_add_nodes_and_redistribution_pause_resume(sim: Sim) -> None:
    with pytest.raises(CommandFailure, match="running DR pair"):
        await sim.plan("/dws scale-out prod-dw 2")
    c = sim.cluster("reporting")
    nodes = c.number_of_node
    plan = await sim.plan("/dws add-nodes reporting 2")
    assert plan.summary == "Add 2 nodes to cluster reporting" and plan.params["count"] == 2
    with pytest.raises(CommandFailure, match="no redistribution is running"):
        await sim.plan("/dws redistribution pause reporting")
    await sim.change("/dws add-nodes reporting 2")
    assert len(sim.posts("/resize")) == 1
    sim.advance(sim.state.start_delay + (c.task.duration + 1 if c.task else 0))  # redistributing
    assert c.number_of_node == nodes + 2
    with pytest.raises(CommandFailure, match="redistribution is not paused"):
        await sim.plan("/dws redistribution resume reporting")
    await sim.change("/dws redistribution pause reporting")
    assert c.task is not None and c.task.paused_at is not None
    await sim.change("/dws redistribution resume reporting")
    assert c.task is not None and c.task.paused_at is None


async def test_params_set(sim: Sim) -> None:
    listing = await sim.read("/dws params reporting")
    names = [row[0] for row in listing.rows]
    name = "max_connections" if "max_connections" in names else names[0]
    one = await sim.read(f"/dws params reporting {name}")
    current = next(f.value for f in one.fields if f.label.endswith("value"))
    with pytest.raises(CommandFailure, match="has no parameter 'zz_nope'"):
        await sim.plan("/dws params set reporting zz_nope 1")
    plan = await sim.plan(f"/dws params set reporting {name} {current} --type DN")
    assert plan.params["kinds"] == ["DN"] and plan.state["values"] == {"DN": current}
    execution = await sim.change(f"/dws params set reporting {name} {current}")
    assert execution.track
    assert [r.method for r in sim.state.request_log if "/configurations/" in r.path][-1] == "PUT"


@pytest.mark.parametrize(
    ("name", "bad", "problem", "good"),
    [
        ("max_connections", "abc", "is a whole number from 10 to 262143", "600"),
        ("max_connections", "5", "is a whole number from 10 to 262143", "10"),
        ("enable_bitmapscan", "maybe", "is on or off", "off"),
        ("resource_track_level", "all", "is one of none, query, perf, operator", "perf"),
    ],
)
async def test_params_set_checks_type_and_range(
    sim: Sim, name: str, bad: str, problem: str, good: str
) -> None:
    with pytest.raises(CommandFailure, match=problem):
        await sim.plan(f"/dws params set reporting {name} {bad}")
    plan = await sim.plan(f"/dws params set reporting {name} {good}")
    assert plan.params["value"] == good
