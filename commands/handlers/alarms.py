"""`/dws alarms [cluster] [--level important]`: current alarms (list_alarm_detail, 5.8.2)."""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import BaseModel

from commands.handlers._common import call_model, find_cluster, grid, plural, short, when
from commands.registry import CommandContext, CommandFailure, command
from commands.replies import Reply, Severity
from dws.models import AlarmDetail, ListAlarmDetailResponse

LEVELS = ("urgent", "important", "minor", "prompt")
"""Alarm severities, most severe first (the reference's `alarm_level` values)."""


def level_name(value: Any) -> str:
    """`urgent` ... `prompt`; numeric levels (1 = urgent ... 4 = prompt) are translated."""
    text = str(value or "").strip().lower()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(LEVELS):
        return LEVELS[int(text) - 1]
    return text


class AlarmsArgs(BaseModel):
    """Optionally a cluster, and the lowest severity to show."""

    cluster: str | None = None
    """Cluster name or id; every resource when left out."""
    level: str | None = None
    """Lowest severity shown: urgent, important, minor or prompt."""
    all: bool = False
    """Include cleared alarms."""


@command(
    "alarms",
    summary="Current alarms, optionally of one cluster and at least some severity",
    usage="/dws alarms [cluster] [--level urgent|important|minor|prompt] [--all]",
    examples=("/dws alarms", "/dws alarms prod-dw --level important", "/dws alarms --all"),
    args=AlarmsArgs,
    positionals=("cluster",),
)
async def alarms(ctx: CommandContext, args: AlarmsArgs) -> Reply:
    """List alarms, most severe first."""
    rank = len(LEVELS)
    if args.level:
        if args.level.lower() not in LEVELS:
            raise CommandFailure(f"--level is one of {', '.join(LEVELS)} (got {args.level!r})")
        rank = LEVELS.index(args.level.lower())
    wanted: set[str] = set()
    label = f"on {ctx.target_name}"
    if args.cluster:
        found = await find_cluster(ctx, args.cluster)
        wanted = {found.id, str(found.name)}
        label = f"for {found.name}"
    params = {"time_zone": "GMT", "offset": "1", "limit": "1000"}
    data = await call_model(ctx.dws, "list_alarm_detail", ListAlarmDetailResponse, params)
    kept = [
        a
        for a in data.alarm_details
        if _matches(a, wanted) and _rank(a) <= rank and (args.all or not _cleared(a))
    ]
    kept.sort(key=lambda a: (_rank(a), a.alarm_generate_date or ""))
    rows = [
        (
            level_name(a.alarm_level) + (" (cleared)" if _cleared(a) else ""),
            a.resource_id_name or a.resource_id,
            short(a.alarm_name, 50),
            when(a.alarm_generate_date),
            a.alarm_id,
        )
        for a in kept
    ]
    reply = grid(
        ("level", "resource", "alarm", "raised", "alarm id"),
        rows,
        title=f"{plural(len(rows), 'active alarm' if not args.all else 'alarm')} {label}",
    )
    if any(_rank(a) <= 1 for a in kept):
        return dataclasses.replace(reply, severity=Severity.WARNING)
    return reply


def _cleared(alarm: AlarmDetail) -> bool:
    # alarm_status "0" is an active alarm (the reference's example); anything else has cleared.
    return (alarm.alarm_status or "") not in ("0", "")


def _rank(alarm: AlarmDetail) -> int:
    name = level_name(alarm.alarm_level)
    return LEVELS.index(name) if name in LEVELS else len(LEVELS)


def _matches(alarm: AlarmDetail, wanted: set[str]) -> bool:
    if not wanted:
        return True
    return bool({str(alarm.resource_id), str(alarm.resource_id_name)} & wanted)
