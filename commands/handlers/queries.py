"""`/dws queries <cluster>`: the SQL statements running now (list_queries, 5.14.7)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from commands.handlers._common import call_model, find_cluster, grid, plural, project_id_of, short
from commands.registry import CommandContext, command
from commands.replies import Reply
from dws.models import ListQueriesResponse


class QueriesArgs(BaseModel):
    """A cluster, and filters."""

    cluster: str
    """Cluster name or id."""
    user: str | None = None
    """Only statements of this database user."""
    limit: int = Field(default=20, ge=1, le=200)
    """At most this many statements (longest running first)."""


@command(
    "queries",
    aliases=("sql",),
    summary="List the SQL statements running on a cluster, longest first",
    usage="/dws queries <cluster> [--user NAME] [--limit 20]",
    examples=("/dws queries prod-dw", "/dws queries prod-dw --user etl"),
    args=QueriesArgs,
    positionals=("cluster",),
)
async def queries(ctx: CommandContext, args: QueriesArgs) -> Reply:
    """List running SQL."""
    found = await find_cluster(ctx, args.cluster)
    conditions = []
    if args.user:
        conditions.append({"field": "userName", "value": args.user, "operator": "="})
    body = {
        "cluster_id": found.id,
        "project_id": project_id_of(ctx.dws),
        "offset": "0",
        "limit": str(args.limit),
        "conditions": conditions,
        "order_by": "duration desc",
        "target": "db_queries",
    }
    data = await call_model(
        ctx.dws, "list_queries", ListQueriesResponse, {"cluster_id": found.id}, body
    )
    items = list(data.data.queries) if data.data else []
    items.sort(key=lambda q: -(q.duration or 0))
    rows = [
        (
            q.pid,
            q.user_name,
            q.db_name,
            f"{(q.duration or 0) / 1000:.1f}s",
            q.wlm_status or q.query_status,
            short(q.query, 60),
        )
        for q in items[: args.limit]
    ]
    return grid(
        ("pid", "user", "database", "running", "status", "query"),
        rows,
        title=f"{found.name}: {plural(len(rows), 'running statement')}",
    )
