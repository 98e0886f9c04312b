"""`/dws azs`: the availability zones where clusters can be created (5.1.1)."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call_model, grid
from commands.registry import CommandContext, command
from commands.replies import Reply
from dws.models import ListAvailabilityZonesResponse


class NoArgs(BaseModel):
    """No arguments."""


@command(
    "azs",
    aliases=("zones",),
    summary="List the availability zones",
    usage="/dws azs",
    examples=("/dws azs",),
    args=NoArgs,
)
async def azs(ctx: CommandContext, args: NoArgs) -> Reply:
    """List AZs (list_availability_zones)."""
    data = await call_model(ctx.dws, "list_availability_zones", ListAvailabilityZonesResponse)
    rows = [(z.code, z.name, z.status, z.public_border_group) for z in data.availability_zones]
    return grid(("code", "name", "status", "group"), rows, title=f"AZs on {ctx.target_name}")
