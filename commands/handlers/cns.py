"""`/dws cns <cluster>`: the coordinator nodes (CNs) of a cluster."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call_model, find_cluster, grid, plural
from commands.registry import CommandContext, command
from commands.replies import Reply
from dws.models import ListClusterCnResponse


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
    found = await find_cluster(ctx, args.cluster)
    data = await call_model(
        ctx.dws, "list_cluster_cn", ListClusterCnResponse, {"cluster_id": found.id}
    )
    rows = [(n.name, n.private_ip, n.id) for n in data.instances]
    return grid(
        ("name", "private IP", "id"),
        rows,
        title=f"{found.name}: {plural(len(rows), 'CN')}",
        text=f"allowed: {_num(data.min_num)} to {_num(data.max_num)} CNs",
    )


def _num(value: int | None) -> str:
    return "?" if value is None else str(value)
