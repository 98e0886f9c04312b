"""`/dws quotas`: the tenant's DWS resource quotas (list_quotas, 5.11.1)."""

from __future__ import annotations

from pydantic import BaseModel

from commands.handlers._common import call_model, grid
from commands.registry import CommandContext, command
from commands.replies import Reply
from dws.models import ListQuotasResponse


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
    data = await call_model(ctx.dws, "list_quotas", ListQuotasResponse)
    resources = data.quotas.resources if data.quotas else []
    rows = [(r.type, r.used, r.quota, r.unit) for r in resources]
    return grid(("resource", "used", "quota", "unit"), rows, title=f"Quotas on {ctx.target_name}")
