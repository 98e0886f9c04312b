"""`/dws policy explain <action> <cluster>`: who may run an action, who may approve it, and why."""

from __future__ import annotations

from datetime import datetime

from commands.policy.rules import ClusterRef, Policy
from commands.registry import ANYONE, Risk


def _fmt_ttl(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes % 1440 == 0 and minutes:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0 and minutes:
        return f"{minutes // 60}h"
    return f"{minutes}m" if minutes else f"{int(seconds)}s"


def explain(
    policy: Policy,
    action: str,
    cluster: ClusterRef | None,
    now: datetime,
    channel: str | None = None,
) -> list[str]:
    """Sentences explaining the rule for ``action`` on ``cluster`` (from ``channel`` if given)."""
    spec = policy.registry.get(action)
    rule = policy.rule(action)
    if spec is None or rule is None:
        return [f"{action!r} is not a known command."]
    lines: list[str] = []
    who = "everyone" if rule.min_role == ANYONE else ", ".join(policy.holders(rule.min_role))
    lines.append(
        f"`{spec.name}` ({spec.risk.value}) may be run by the {rule.min_role} role or higher"
        f": {who or 'nobody is granted it'}."
    )
    if spec.risk is Risk.READ:
        lines.append("It only reads, so it needs no approval and has no channel guardrail.")
        return lines
    if rule.approvals:
        approvers = ", ".join(policy.holders(rule.approver_role or rule.min_role)) or "nobody"
        distinct = " from distinct roles" if rule.distinct_roles else ""
        lines.append(
            f"It needs {rule.approvals} approval{'s' if rule.approvals != 1 else ''}{distinct} "
            f"by the {rule.approver_role} role or higher ({approvers}), never the requester; "
            f"a request expires after {_fmt_ttl(rule.ttl.total_seconds())}."
        )
    else:
        lines.append("It runs at once, without approval.")
    target = cluster.label if cluster else "any cluster"
    if policy.channels is None:
        lines.append("No channel guardrails are configured.")
    elif channel is not None and cluster is not None:
        ok, why = policy.channel_allows(channel, cluster)
        lines.append(("Allowed: " if ok else "Refused: ") + why + ".")
    else:
        allowed = [
            ch
            for ch, globs in policy.channels.items()
            if cluster is None or any(cluster.matches(g) for g in globs)
        ]
        lines.append(f"Channels that may act on {target}: {', '.join(allowed) or 'none'}.")
    for window in policy.freezes:
        names: list[str | None] = [None]
        if cluster is not None:
            names = [n for n in (cluster.name, cluster.id) if n] or [None]
        if any(window.applies(spec.name, n) for n in names):
            state = "in effect now" if window.active(now) else "not in effect now"
            exempt = f"; exempt: {', '.join(window.except_roles)}" if window.except_roles else ""
            scope = ""
            if cluster is None and "*" not in window.clusters:
                scope = f" on clusters {', '.join(window.clusters)}"
            lines.append(f"Change freeze {window.name!r} covers it{scope} ({state}{exempt}).")
    return lines
