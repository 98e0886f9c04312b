"""`/dws nodes <cluster>`: the nodes of a cluster."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call, find_cluster, grid, plural
from commands.registry import CommandContext, command
from commands.replies import Reply


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
    found = await find_cluster(ctx.dws, args.cluster)
    data = await call(ctx.dws, "list_cluster_nodes", {"cluster_id": found["id"]})
    items = [n for n in (data or {}).get("node_list") or [] if isinstance(n, dict)]
    rows = [
        (
            str(n.get("name", "")),
            str(n.get("status", "")),
            str(n.get("sub_status") or ""),
            str(n.get("spec") or ""),
            str(n.get("az_code") or ""),
            str(n.get("id", "")),
        )
        for n in items
    ]
    failed = (data or {}).get("failed_count") or 0
    text = f"{failed} failed" if failed else ""
    return grid(
        ("name", "status", "sub-status", "spec", "AZ", "id"),
        rows,
        title=f"{found['name']}: {plural(len(rows), 'node')}",
        text=text,
    )
