"""`/dws quotas`: the tenant's DWS resource quotas (list_quotas, 5.11.1)."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call, grid
from commands.registry import CommandContext, command
from commands.replies import Reply


class NoArgs(BaseModel):
    """No arguments."""


@command(
    "quotas",
    summary="Show the resource quotas and how much of each is used",
    usage="/dws quotas",
    examples=("/dws quotas",),
    args=NoArgs,
)
async def quotas(ctx: CommandContext, args: NoArgs) -> Reply:
    """List quotas."""
    data = await call(ctx.dws, "list_quotas") or {}
    resources = (data.get("quotas") or {}).get("resources") or []
    rows = [
        (r.get("type"), r.get("used"), r.get("quota"), r.get("unit") or "")
        for r in resources
        if isinstance(r, dict)
    ]
    return grid(("resource", "used", "quota", "unit"), rows, title=f"Quotas on {ctx.target_name}")
