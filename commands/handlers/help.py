"""`/dws help [command]`: the commands this user may run (marking approval needs), or one command.

Help is generated from the command declarations; the policy decides what each user sees.
"""

from __future__ import annotations

from pydantic import BaseModel

from commands.parsing import help_reply, unknown_command
from commands.policy import Policy
from commands.registry import ANYONE, CommandContext, Registry, command
from commands.replies import Field, Reply


class HelpArgs(BaseModel):
    """Arguments of `help`."""

    command: list[str] = []
    """A command name (may be several words, e.g. `dr failover`)."""


def _approval_note(n: int) -> str:
    return "" if n == 0 else f"{n} approval{'s' if n != 1 else ''}"


@command(
    "help",
    aliases=("?",),
    summary="Show the commands you may run, or the help of one command",
    usage="/dws help [command]",
    examples=("/dws help", "/dws help restart", "/dws help dr failover"),
    args=HelpArgs,
    positionals=("command",),
    min_role=ANYONE,
)
async def help_(ctx: CommandContext, args: HelpArgs) -> Reply:
    """List the visible commands, or explain one."""
    policy: Policy = ctx.services["policy"]
    reg: Registry = ctx.services["registry"]
    visible = {spec.name: d.approvals_needed for spec, d in policy.visible_commands(ctx.user)}
    if args.command:
        found = reg.match([w.lower() for w in args.command])
        if found is None:
            return unknown_command(list(args.command), reg)
        spec = found[0]
        base = help_reply(spec)
        if spec.name in visible:
            needs = _approval_note(visible[spec.name])
            may = f"You may run it{' with ' + needs if needs else ''}."
        else:
            rule = policy.rule(spec.name)
            may = f"You may not run it (it needs the {rule.min_role if rule else '?'} role)."
        return Reply(title=base.title, text=base.text, fields=(Field("For you", may),))
    rows = [
        (f"/dws {spec.name}", spec.summary, _approval_note(visible[spec.name]))
        for spec in reg
        if spec.name in visible
    ]
    role = ctx.user.role or "no role"
    return Reply(
        title=f"Commands you may run ({role})",
        text="Commands marked with approvals wait for a colleague's Approve click.",
        columns=("command", "what it does", "needs"),
        rows=tuple(rows),
        follow_ups=("/dws help <command>",),
    )
