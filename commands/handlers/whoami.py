"""`/dws whoami`: who the bot thinks you are, your role and where you are talking from."""

from __future__ import annotations

from pydantic import BaseModel

from commands.registry import ANYONE, CommandContext, command
from commands.replies import Field, Reply


class WhoamiArgs(BaseModel):
    """`whoami` takes no arguments."""


@command(
    "whoami",
    summary="Show your user id, role, groups, channel and DWS target",
    usage="/dws whoami",
    examples=("/dws whoami",),
    args=WhoamiArgs,
    min_role=ANYONE,
)
async def whoami(ctx: CommandContext, args: WhoamiArgs) -> Reply:
    """Describe the caller as the policy sees them."""
    user = ctx.user
    fields = (
        Field("User id", user.id),
        Field("Name", user.name or "-"),
        Field("Team", user.team or "-"),
        Field("Groups", ", ".join(user.groups) or "-"),
        Field("Role", user.role or "none (ask an admin to grant one)"),
        Field("Channel", ctx.channel or "-"),
        Field("DWS target", ctx.target_name),
    )
    return Reply(title=f"You are {user.display}", fields=fields, follow_ups=("/dws help",))
