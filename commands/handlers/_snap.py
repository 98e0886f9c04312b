"""Snapshot lookups shared by the snapshot commands: by id, or by (unique) name."""

from __future__ import annotations

from typing import Any

from commands.handlers._common import call, pick
from commands.registry import DwsCaller


async def list_snapshots(client: DwsCaller) -> list[dict[str, Any]]:
    """Every snapshot of the target (list_snapshots)."""
    data = await call(client, "list_snapshots")
    return [s for s in (data or {}).get("snapshots") or [] if isinstance(s, dict)]


async def find_snapshot(client: DwsCaller, ref: str) -> dict[str, Any]:
    """The snapshot's details (list_snapshot_details) for an id or a name."""
    found = pick(await list_snapshots(client), ref, "snapshot")
    data = await call(client, "list_snapshot_details", {"snapshot_id": found["id"]})
    detail = (data or {}).get("snapshot")
    return {**found, **detail} if isinstance(detail, dict) else found
