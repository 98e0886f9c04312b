"""`/dws events [cluster] [--since 2h]`: recent DWS events, newest first (list_events, 5.4.1)."""

from __future__ import annotations

import contextlib
from datetime import datetime

from pydantic import BaseModel

from commands.durations import parse_duration
from commands.handlers._common import (
    call_model,
    find_cluster,
    grid,
    plural,
    short,
    when,
)
from commands.registry import CommandContext, CommandFailure, command
from commands.replies import Reply
from dws.models import Event, ListEventsResponse, parse_time
from dws.paging import paginate

PAGE = 1000
MAX_PAGES = 10
MAX_ROWS = 50


class EventsArgs(BaseModel):
    """Optionally a cluster, and how far back to look."""

    cluster: str | None = None
    """Cluster name or id; every source when left out."""
    since: str = "24h"
    """How far back: 30m, 2h, 7d, 1w ..."""
    limit: int = MAX_ROWS
    """At most this many rows."""


@command(
    "events",
    summary="Recent events, of all clusters or of one",
    usage="/dws events [cluster] [--since 2h] [--limit 50]",
    examples=("/dws events", "/dws events prod-dw --since 2h"),
    args=EventsArgs,
    positionals=("cluster",),
)
async def events(ctx: CommandContext, args: EventsArgs) -> Reply:
    """List events since a moment, optionally for one cluster."""
    try:
        cutoff = ctx.clock() - parse_duration(args.since)
    except ValueError as exc:
        raise CommandFailure(f"--since: {exc}") from None
    wanted: set[str] = set()
    label = f"on {ctx.target_name}"
    if args.cluster:
        found = await find_cluster(ctx, args.cluster)
        wanted = {found.id, str(found.name)}
        label = f"for {found.name}"
    items = await _events_since(ctx, cutoff)
    kept = [e for e in items if _recent(e, cutoff) and _matches(e, wanted)]
    kept.sort(key=lambda e: e.occur_time or 0, reverse=True)
    rows = [
        (
            when(e.occur_time),
            e.severity,
            e.source_name or e.source_id,
            short(e.display_name or e.name, 40),
            short(e.context or e.description, 70),
        )
        for e in kept[: max(1, args.limit)]
    ]
    more = len(kept) - len(rows)
    return grid(
        ("time", "severity", "source", "event", "detail"),
        rows,
        title=f"{plural(len(kept), 'event')} {label} in the last {args.since}",
        text=f"{more} older not shown (use --limit)" if more > 0 else "",
    )


async def _events_since(ctx: CommandContext, cutoff: datetime) -> list[Event]:
    """Events of list_events (newest first, paged by `dws.paging`) until one is older than
    `cutoff` or they run out (at most MAX_PAGES pages)."""
    items: list[Event] = []
    pages = paginate(
        lambda op, query: call_model(ctx.dws, op, ListEventsResponse, query),
        "list_events",
        "events",
        page_size=PAGE,
        max_items=PAGE * MAX_PAGES,
    )
    async with contextlib.aclosing(pages):
        async for event in pages:
            items.append(event)
            moment = parse_time(event.occur_time)
            if moment is not None and moment < cutoff:
                break
    return items


def _recent(event: Event, cutoff: datetime) -> bool:
    moment = parse_time(event.occur_time)
    return moment is None or moment >= cutoff


def _matches(event: Event, wanted: set[str]) -> bool:
    if not wanted:
        return True
    return bool({str(event.source_id), str(event.source_name)} & wanted)
