"""`/dws flavors`: the node types (flavors) DWS offers (list_node_types, 5.2.14)."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call_model, grid, plural
from commands.registry import CommandContext, command
from commands.replies import Reply
from dws.models import ListNodeTypesResponse, NodeType


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
    data = await call_model(ctx.dws, "list_node_types", ListNodeTypesResponse)
    rows = [
        (
            t.spec_name,
            t.datastore_type,
            t.vcpus,
            f"{t.ram} GB" if t.ram is not None else "",
            _storage(t),
            _azs(t),
        )
        for t in sorted(data.node_types, key=lambda t: str(t.spec_name))
    ]
    return grid(
        ("flavor", "type", "vCPUs", "memory", "storage", "AZs"),
        rows,
        title=f"{plural(len(rows), 'node type')} on {ctx.target_name}",
    )


def _storage(flavor: NodeType) -> str:
    volume = flavor.volume
    if volume is not None and volume.size:
        return f"{volume.size} GB {volume.type or ''}".strip()
    if flavor.elastic_volume_specs:
        s = flavor.elastic_volume_specs[0]
        return f"{s.type or ''} {s.min_size}-{s.max_size} GB".strip()
    return ""


def _azs(flavor: NodeType) -> str:
    return ", ".join(
        str(z.code) for z in flavor.available_zones if (z.status or "normal") == "normal"
    )
