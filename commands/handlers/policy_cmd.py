"""`/dws policy explain <action> [cluster]`: who may run an action, who may approve it, and why."""

from __future__ import annotations

from pydantic import BaseModel

from commands.parsing import unknown_command
from commands.policy import ClusterRef, Policy, explain
from commands.registry import CommandContext, Registry, command
from commands.replies import Reply


class ExplainArgs(BaseModel):
    """Arguments of `policy explain`."""

    words: list[str] = []
    """The action (one or more words) followed by an optional cluster name or id."""
    channel: str | None = None
    """Explain for this channel (default: the current one)."""


@command(
    "policy explain",
    aliases=("explain",),
    summary="Explain who may run and approve an action on a cluster, and why",
    usage="/dws policy explain <action> [cluster] [--channel C]",
    examples=("/dws policy explain restart prod-dw", "/dws policy explain dr failover prod-dw"),
    args=ExplainArgs,
    positionals=("words",),
)
async def policy_explain(ctx: CommandContext, args: ExplainArgs) -> Reply:
    """Explain the policy rule for an action (and a cluster)."""
    policy: Policy = ctx.services["policy"]
    reg: Registry = ctx.services["registry"]
    if not args.words:
        return Reply.error("Name an action, e.g. `/dws policy explain restart prod-dw`.")
    found = reg.match([w.lower() for w in args.words])
    if found is None:
        return unknown_command(list(args.words), reg)
    spec, used = found
    rest = args.words[used:]
    if len(rest) > 1:
        return Reply.error("Give at most one cluster after the action.")
    cluster = ClusterRef(name=rest[0], id=rest[0]) if rest else None
    lines = explain(policy, spec.name, cluster, ctx.clock(), channel=args.channel or ctx.channel)
    where = f" on {cluster.label}" if cluster else ""
    return Reply(title=f"Policy for {spec.name}{where}", text="\n".join(lines))
