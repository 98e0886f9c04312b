"""Reading commands about clusters: clusters, cluster, nodes, cns, params."""

from __future__ import annotations

import pytest

from commands.registry import CommandFailure
from tests.commands.handlers.conftest import Sim, cells, field


async def test_clusters_lists_the_fleet(sim: Sim) -> None:
    reply = await sim.read("/dws clusters")
    names = cells(reply, "name")
    assert names == sorted(c.name for c in sim.state.clusters.values())
    assert "prod-dw" in names and reply.title.startswith(f"{len(names)} clusters")


async def test_clusters_status_filter(sim: Sim) -> None:
    reply = await sim.read("/dws clusters --status stopped")
    assert cells(reply, "name") == ["dev-sandbox"]


async def test_cluster_shows_status_nodes_and_dr(sim: Sim) -> None:
    reply = await sim.read("/dws cluster prod-dw")
    c = sim.cluster("prod-dw")
    assert field(reply, "id") == c.id
    assert field(reply, "status") == "AVAILABLE"
    assert field(reply, "nodes").startswith(str(c.number_of_node))
    assert field(reply, "version") == c.version
    assert "prod-dw-dr (running), primary, peer prod-dw-standby" in field(reply, "DR")
    assert field(reply, "endpoints") != "—"


async def test_cluster_by_id_and_progress_while_restarting(sim: Sim) -> None:
    c = sim.cluster("reporting")
    await sim.change("/dws restart reporting")
    sim.advance(30)
    reply = await sim.read(f"/dws cluster {c.id}")
    assert field(reply, "task").startswith("REBOOTING")
    assert "%" in field(reply, "task")


async def test_ambiguous_name(sim: Sim) -> None:
    ambiguous = r"'prod' matches several clusters: prod-dw, prod-dw-standby"
    with pytest.raises(CommandFailure, match=ambiguous):
        await sim.read("/dws cluster prod")
    with pytest.raises(CommandFailure, match=r"no cluster named 'nope'; known: analytics"):
        await sim.read("/dws nodes nope")


async def test_nodes(sim: Sim) -> None:
    reply = await sim.read("/dws nodes reporting")
    assert len(reply.rows) == sim.cluster("reporting").number_of_node
    assert all(cells(reply, "status"))


async def test_cns(sim: Sim) -> None:
    reply = await sim.read("/dws cns reporting")
    assert len(reply.rows) == sim.cluster("reporting").number_of_cn
    assert reply.text.startswith("allowed:")


async def test_params_list_and_one(sim: Sim) -> None:
    reply = await sim.read("/dws params reporting")
    names = cells(reply, "name")
    assert len(names) > 3
    one = await sim.read(f"/dws params reporting {names[0]}")
    assert one.title == f"reporting: {names[0]}"
    assert any(f.label == "needs restart" for f in one.fields)
    with pytest.raises(CommandFailure, match="no parameter matching"):
        await sim.read("/dws params reporting zz_not_a_param")
