"""`/dws metrics <cluster> [metric]`: monitoring metrics of a cluster (5.14.9, 5.14.10)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel

from commands.durations import parse_duration
from commands.handlers._common import call_model, find_cluster, grid, plural
from commands.registry import CommandContext, CommandFailure, command
from commands.replies import Reply
from dws.models import ClusterInfo, ListMetricsDataResponse, ListMetricsResponse

MAX_ROWS = 20


class MetricsArgs(BaseModel):
    """A cluster and optionally one metric."""

    cluster: str
    """Cluster name or id."""
    metric: str | None = None
    """A metric name: show its collected data."""
    since: str = "1h"
    """With a metric: how far back (at most 1d)."""


@command(
    "metrics",
    summary="List a cluster's metrics, or the latest data of one metric",
    usage="/dws metrics <cluster> [metric] [--since 1h]",
    examples=("/dws metrics prod-dw", "/dws metrics prod-dw TableDirtyPageRate --since 6h"),
    args=MetricsArgs,
    positionals=("cluster", "metric"),
)
async def metrics(ctx: CommandContext, args: MetricsArgs) -> Reply:
    """List metrics (list_metrics) or one metric's data (list_metrics_data)."""
    found = await find_cluster(ctx, args.cluster)
    if args.metric:
        return await _data(ctx, found, args)
    query = {"cluster_id": found.id, "offset": 0, "limit": 100}
    data = await call_model(ctx.dws, "list_metrics", ListMetricsResponse, query)
    rows = [(m.metric_name, m.scope, m.collect_rate, len(m.fields)) for m in data.data]
    return grid(
        ("metric", "scope", "every (s)", "columns"),
        rows,
        title=f"{found.name}: {plural(len(rows), 'metric')}",
        follow_ups=(f"/dws metrics {found.name} {rows[0][0]}",) if rows else (),
    )


async def _data(ctx: CommandContext, found: ClusterInfo, args: MetricsArgs) -> Reply:
    try:
        span = parse_duration(args.since, maximum=timedelta(days=1))
    except ValueError as exc:
        raise CommandFailure(f"--since: {exc} (metric data: at most one day)") from None
    now = ctx.clock()
    query = {
        "cluster_id": found.id,
        "metric_name": args.metric,
        "offset": 0,
        "limit": MAX_ROWS,
        "from": int((now - span).timestamp() * 1000),
        "to": int(now.timestamp() * 1000),
        "order_by": "ctime",
        "sort_by": "desc",
    }
    data = await call_model(ctx.dws, "list_metrics_data", ListMetricsDataResponse, query)
    items = data.data
    columns = sorted({k for d in items for k in d})[:8]
    return grid(
        columns or ("no data",),
        [tuple(d.get(c) for c in columns) for d in items[:MAX_ROWS]],
        title=f"{found.name}: {args.metric}, last {args.since}",
    )
