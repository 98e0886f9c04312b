"""`/dws flavors`: the node types (flavors) DWS offers (list_node_types, 5.2.14)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from commands.handlers._common import call, grid, plural
from commands.registry import CommandContext, command
from commands.replies import Reply


class NoArgs(BaseModel):
    """No arguments."""


@command(
    "flavors",
    aliases=("node-types",),
    summary="List the node types (flavors): vCPUs, memory, storage, AZs",
    usage="/dws flavors",
    examples=("/dws flavors",),
    args=NoArgs,
)
async def flavors(ctx: CommandContext, args: NoArgs) -> Reply:
    """List node types."""
    data = await call(ctx.dws, "list_node_types") or {}
    items = [t for t in data.get("node_types") or [] if isinstance(t, dict)]
    rows = [
        (
            t.get("spec_name"),
            t.get("datastore_type"),
            t.get("vcpus"),
            f"{t.get('ram')} GB" if t.get("ram") is not None else "",
            _storage(t),
            _azs(t),
        )
        for t in sorted(items, key=lambda t: str(t.get("spec_name")))
    ]
    return grid(
        ("flavor", "type", "vCPUs", "memory", "storage", "AZs"),
        rows,
        title=f"{plural(len(rows), 'node type')} on {ctx.target_name}",
    )


def _storage(flavor: dict[str, Any]) -> str:
    volume = flavor.get("volume")
    if isinstance(volume, dict) and volume.get("size"):
        return f"{volume.get('size')} GB {volume.get('type') or ''}".strip()
    specs = flavor.get("elastic_volume_specs") or []
    if specs and isinstance(specs[0], dict):
        s = specs[0]
        return f"{s.get('type', '')} {s.get('min_size')}-{s.get('max_size')} GB".strip()
    return ""


def _azs(flavor: dict[str, Any]) -> str:
    zones = flavor.get("available_zones") or []
    return ", ".join(
        str(z.get("code"))
        for z in zones
        if isinstance(z, dict) and str(z.get("status", "normal")) == "normal"
    )
