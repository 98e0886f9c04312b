"""Reading commands: snapshots, events, alarms, DR, jobs, quotas, flavors, AZs, metrics, SQL."""

from __future__ import annotations

import httpx
import pytest

from commands.registry import CommandFailure
from dws.client import DwsClient
from dws.simulator import Fleet, SimClock
from dws.simulator.app import create_app
from tests.commands.handlers.conftest import TARGET, Sim, cells, field


async def test_snapshots_all_and_of_one_cluster(sim: Sim) -> None:
    every = await sim.read("/dws snapshots")
    assert len(every.rows) == len(sim.state.snapshots)
    mine = await sim.read("/dws snapshots reporting")
    assert mine.rows and set(cells(mine, "cluster")) == {"reporting"}
    assert len(mine.rows) < len(every.rows)


async def test_snapshot_by_name_and_by_id(sim: Sim) -> None:
    snap = next(s for s in sim.state.snapshots.values() if s.cluster_name == "reporting")
    by_name = await sim.read(f"/dws snapshot {snap.name}")
    by_id = await sim.read(f"/dws snapshot {snap.id}")
    assert field(by_name, "id") == field(by_id, "id") == snap.id
    assert field(by_name, "status") == "AVAILABLE"
    assert field(by_name, "cluster") == "reporting"


async def test_snapshot_policy(sim: Sim) -> None:
    reply = await sim.read("/dws snapshot-policy reporting")
    assert reply.title == "reporting: snapshot policy"
    assert reply.columns == ("policy", "schedule", "type", "level", "next run")


async def test_events_filtered_by_cluster_and_time(sim: Sim) -> None:
    every = await sim.read("/dws events --since 1000d --limit 500")
    assert every.rows
    readonly = await sim.read("/dws events analytics --since 2h")
    assert readonly.rows and set(cells(readonly, "source")) == {"analytics"}
    assert len(readonly.rows) < len(every.rows)
    with pytest.raises(CommandFailure, match="not a duration"):
        await sim.read("/dws events --since yesterday")


async def test_events_show_a_new_restart(sim: Sim) -> None:
    await sim.change("/dws restart reporting")
    sim.advance(sim.state.start_delay)  # the start event comes when the restart starts
    reply = await sim.read("/dws events reporting --since 5m")
    assert any("reboot" in e.lower() or "restart" in e.lower() for e in cells(reply, "event"))


async def test_alarms_active_by_default_and_level_filter(sim: Sim) -> None:
    active = await sim.read("/dws alarms")
    every = await sim.read("/dws alarms --all")
    assert len(every.rows) > len(active.rows) > 0
    assert any("(cleared)" in level for level in cells(every, "level"))
    urgent = await sim.read("/dws alarms analytics --level urgent")
    assert urgent.rows and set(cells(urgent, "level")) == {"urgent"}
    assert set(cells(urgent, "resource")) == {"analytics"}
    c = sim.cluster("reporting")
    sim.state.raise_alarm(c.id, "DWS_2000000021")
    prompt = await sim.read("/dws alarms reporting")
    assert cells(prompt, "level") == ["prompt"]
    with pytest.raises(CommandFailure, match="--level is one of"):
        await sim.read("/dws alarms --level loud")


async def test_dr_list_show_progress(sim: Sim) -> None:
    listing = await sim.read("/dws dr")
    assert cells(listing, "name") == ["prod-dw-dr"]
    assert cells(listing, "status") == ["running"]
    shown = await sim.read("/dws dr show prod-dw-dr")
    assert field(shown, "status") == "running"
    assert field(shown, "primary").startswith("prod-dw ")
    assert field(shown, "standby").startswith("prod-dw-standby ")
    progress = await sim.read("/dws dr progress prod-dw-dr")
    assert progress.title == "DR prod-dw-dr: progress"
    assert field(progress, "primary") != "—"


async def test_job_after_stop(sim: Sim) -> None:
    execution = await sim.change("/dws stop reporting")
    assert execution.job_id
    running = await sim.read(f"/dws job {execution.job_id}")
    assert field(running, "id") == execution.job_id
    sim.advance(3600)
    done = await sim.read(f"/dws job {execution.job_id}")
    assert "SUCCESS" in done.title.upper()


async def test_quotas_flavors_azs(sim: Sim) -> None:
    quotas = await sim.read("/dws quotas")
    assert quotas.rows and quotas.columns == ("resource", "used", "quota", "unit")
    flavors = await sim.read("/dws flavors")
    assert {n.spec_name for n in sim.state.node_types} == set(cells(flavors, "flavor"))
    azs = await sim.read("/dws azs")
    assert set(cells(azs, "code")) == set(sim.state.availability_zones)


async def test_metrics_list_and_data(sim: Sim) -> None:
    listing = await sim.read("/dws metrics reporting")
    assert listing.rows
    metric = cells(listing, "metric")[0]
    data = await sim.read(f"/dws metrics reporting {metric} --since 1h")
    assert data.title == f"reporting: {metric}, last 1h"
    with pytest.raises(CommandFailure, match="at most one day"):
        await sim.read(f"/dws metrics reporting {metric} --since 3d")


async def test_queries(sim: Sim) -> None:
    reply = await sim.read("/dws queries reporting --limit 5")
    assert reply.columns == ("pid", "user", "database", "running", "status", "query")
    assert len(reply.rows) <= 5


async def test_events_page_back_until_the_window_is_covered() -> None:
    state = Fleet.generate(4, 3000, clock=SimClock(speed=0.0))
    cluster = next(iter(state.clusters.values()))
    async with DwsClient(TARGET, transport=httpx.ASGITransport(app=create_app(state))) as client:
        sim = Sim(state, client)
        reply = await sim.read(f"/dws events {cluster.name} --since 90d --limit 5")
    now_ms = state.now() * 1000
    expected = [
        e
        for e in state.events.page(1, 10_000, cluster.id)
        if e.occur_ms >= now_ms - 90 * 86400 * 1000
    ]
    assert len(expected) > 500  # more than one page of the whole log is needed to see them all
    assert reply.title == f"{len(expected)} events for {cluster.name} in the last 90d"
    assert len(reply.rows) == 5 and "older not shown" in reply.text


async def test_events_stop_paging_once_the_window_is_covered() -> None:
    state = Fleet.generate(4, 3000, clock=SimClock(speed=0.0))
    async with DwsClient(TARGET, transport=httpx.ASGITransport(app=create_app(state))) as client:
        sim = Sim(state, client)
        await sim.read("/dws events --since 1d")
        short = [r for r in state.request_log if r.path.endswith("/events")]
        await sim.read("/dws events --since 90d")
        every = [r for r in state.request_log if r.path.endswith("/events")]
    assert len(short) == 1  # the first page already reaches past a day ago
    assert len(every) - len(short) == 3  # 3000 events in pages of 1000
