"""`/dws clusters`: the clusters of a target, one line each."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import cell, grid, list_cluster_summaries, plural, status_text
from commands.registry import CommandContext, command
from commands.replies import Reply


class ClustersArgs(BaseModel):
    """Arguments of `clusters`."""

    status: str | None = None
    """Only clusters whose status is this (AVAILABLE, FAILED ...)."""


@command(
    "clusters",
    aliases=("ls",),
    summary="List the clusters with their status, size and version",
    usage="/dws clusters [--status AVAILABLE]",
    examples=("/dws clusters", "/dws clusters --status FAILED", "/dws clusters --target eu-west"),
    args=ClustersArgs,
)
async def clusters(ctx: CommandContext, args: ClustersArgs) -> Reply:
    """List the clusters of the target."""
    found = await list_cluster_summaries(ctx.dws)
    if args.status:
        found = [c for c in found if (c.status or "").upper() == args.status.upper()]
    rows = [
        (
            c.name or "",
            status_text(c),
            cell(c.number_of_node),
            c.version or "",
            c.id,
        )
        for c in sorted(found, key=lambda c: c.name or "")
    ]
    title = f"{plural(len(rows), 'cluster')} on {ctx.target_name}"
    follow = ("/dws cluster " + rows[0][0],) if rows else ()
    return grid(("name", "status", "nodes", "version", "id"), rows, title=title, follow_ups=follow)
