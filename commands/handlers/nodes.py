"""`/dws nodes <cluster>`: the nodes of a cluster."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call_model, find_cluster, grid, plural
from commands.registry import CommandContext, command
from commands.replies import Reply
from dws.models import ListClusterNodesResponse


class NodesArgs(BaseModel):
    """A cluster given by name or id."""

    cluster: str
    """Cluster name or id."""


@command(
    "nodes",
    summary="List the nodes of a cluster with their status and spec",
    usage="/dws nodes <cluster>",
    examples=("/dws nodes prod-dw",),
    args=NodesArgs,
    positionals=("cluster",),
)
async def nodes(ctx: CommandContext, args: NodesArgs) -> Reply:
    """List a cluster's nodes (list_cluster_nodes)."""
    found = await find_cluster(ctx, args.cluster)
    data = await call_model(
        ctx.dws, "list_cluster_nodes", ListClusterNodesResponse, {"cluster_id": found.id}
    )
    rows = [(n.name, n.status, n.sub_status, n.spec, n.az_code, n.id) for n in data.node_list]
    failed = data.failed_count or 0
    text = f"{failed} failed" if failed else ""
    return grid(
        ("name", "status", "sub-status", "spec", "AZ", "id"),
        rows,
        title=f"{found.name}: {plural(len(rows), 'node')}",
        text=text,
    )
