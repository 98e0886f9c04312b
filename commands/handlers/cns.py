"""`/dws cns <cluster>`: the coordinator nodes (CNs) of a cluster."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call, find_cluster, grid, plural
from commands.registry import CommandContext, command
from commands.replies import Reply


class CnsArgs(BaseModel):
    """A cluster given by name or id."""

    cluster: str
    """Cluster name or id."""


@command(
    "cns",
    summary="List the coordinator nodes (CNs) of a cluster",
    usage="/dws cns <cluster>",
    examples=("/dws cns prod-dw",),
    args=CnsArgs,
    positionals=("cluster",),
)
async def cns(ctx: CommandContext, args: CnsArgs) -> Reply:
    """List a cluster's CNs (list_cluster_cn)."""
    found = await find_cluster(ctx.dws, args.cluster)
    data = await call(ctx.dws, "list_cluster_cn", {"cluster_id": found["id"]}) or {}
    rows = [
        (str(n.get("name", "")), str(n.get("private_ip") or ""), str(n.get("id", "")))
        for n in data.get("instances") or []
        if isinstance(n, dict)
    ]
    return grid(
        ("name", "private IP", "id"),
        rows,
        title=f"{found['name']}: {plural(len(rows), 'CN')}",
        text=f"allowed: {data.get('min_num', '?')} to {data.get('max_num', '?')} CNs",
    )
