"""The validated policy and its pure, fail-closed decisions.

`Policy` is built by `commands.policy.loader` from YAML. Every decision function is pure (the
time is passed in) and returns a `Decision` with a human reason; anything unknown (a role that
is not defined, a user without a role, a channel outside the guardrails) is a refusal.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from commands.policy.windows import Cron
from commands.registry import ANYONE, CommandSpec, Registry, Risk, UserRef


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer of a policy check. ``reason`` is one sentence, also when allowed."""

    allowed: bool
    reason: str
    approvals_needed: int = 0
    approver_role: str | None = None
    ttl: timedelta = timedelta(minutes=30)
    distinct_roles: bool = False


@dataclass(frozen=True, slots=True)
class ActionRule:
    """The effective rule of one action (defaults for its risk merged with its own entry)."""

    min_role: str
    approvals: int = 0
    approver_role: str | None = None
    distinct_roles: bool = False
    ttl: timedelta = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class FreezeWindow:
    """A period during which matching changing actions are refused."""

    name: str
    tz: ZoneInfo
    start: datetime | None = None
    until: datetime | None = None
    cron: Cron | None = None
    actions: tuple[str, ...] = ("*",)
    clusters: tuple[str, ...] = ("*",)
    except_roles: tuple[str, ...] = ()

    def active(self, now: datetime) -> bool:
        """True when ``now`` (aware) falls in the window."""
        local = now.astimezone(self.tz)
        if self.cron is not None:
            return self.cron.matches(local)
        after_start = self.start is None or local >= self.start
        before_end = self.until is None or local < self.until
        return after_start and before_end

    def applies(self, action: str, cluster: str | None) -> bool:
        """True when the window covers ``action`` on ``cluster`` (None = any cluster)."""
        if not any(fnmatch.fnmatchcase(action, p) for p in self.actions):
            return False
        return cluster is None or any(fnmatch.fnmatchcase(cluster, p) for p in self.clusters)


@dataclass(frozen=True, slots=True)
class ClusterRef:
    """The cluster an action is about (name and/or id); globs match either."""

    name: str | None = None
    id: str | None = None

    def matches(self, glob: str) -> bool:
        """True when the name or the id matches ``glob``; a cluster known by neither (a
        snapshot of a deleted cluster) matches only ``*``."""
        if self.name is None and self.id is None:
            return glob == "*"
        return any(v is not None and fnmatch.fnmatchcase(v, glob) for v in (self.name, self.id))

    @property
    def label(self) -> str:
        """A display label."""
        return self.name or self.id or "?"


@dataclass(frozen=True)
class Policy:
    """A validated policy, bound to the command registry it was checked against."""

    registry: Registry
    roles: Mapping[str, int]
    default_role: str | None
    users: Mapping[str, str]
    groups: Mapping[str, str]
    channels: Mapping[str, tuple[str, ...]] | None
    defaults: Mapping[Risk, ActionRule]
    actions: Mapping[str, ActionRule]
    freezes: tuple[FreezeWindow, ...] = ()
    source: str = "<policy>"
    text: str = field(default="", repr=False)

    # -- roles ---------------------------------------------------------------------------
    def rank(self, role: str | None) -> int | None:
        """The rank of ``role``, or None when it is not defined."""
        return None if role is None else self.roles.get(role)

    def role_of(self, user: UserRef) -> str | None:
        """The highest role granted to the user by id, group or default; None = no access."""
        candidates = [self.users.get(user.id), self.default_role]
        candidates += [self.groups.get(g) for g in user.groups]
        known = [r for r in candidates if r is not None and r in self.roles]
        return max(known, key=lambda r: self.roles[r]) if known else None

    def at_least(self, role: str | None, minimum: str | None) -> bool:
        """True when ``role`` ranks at or above ``minimum`` (unknown roles never qualify)."""
        if minimum == ANYONE:
            return True
        have, need = self.rank(role), self.rank(minimum)
        return have is not None and need is not None and have >= need

    # -- rules ---------------------------------------------------------------------------
    def rule(self, action: str) -> ActionRule | None:
        """The effective rule for a registered action, or None when the action is unknown."""
        spec = self.registry.get(action)
        if spec is None:
            return None
        if spec.name in self.actions:
            return self.actions[spec.name]
        if spec.min_role == ANYONE:
            return ActionRule(min_role=ANYONE)
        base = self.defaults[spec.risk]
        if self.at_least(spec.min_role, base.min_role):
            return dataclasses.replace(base, min_role=spec.min_role)
        return base

    def channel_allows(self, channel: str, cluster: ClusterRef) -> tuple[bool, str]:
        """Whether the channel's guardrail lets it act on ``cluster``, and why."""
        if self.channels is None:
            return True, "no channel guardrails are configured"
        globs = self.channels.get(channel)
        key = channel
        if globs is None:
            for pattern, value in self.channels.items():
                if fnmatch.fnmatchcase(channel, pattern):
                    key, globs = pattern, value
                    break
        if globs is None:
            return False, f"channel {channel} may not act on any cluster"
        if any(cluster.matches(g) for g in globs):
            return True, f"channel {channel} may act on {cluster.label} (rule {key!r})"
        return False, f"channel {channel} may act only on {', '.join(globs)}"

    def active_freeze(
        self, action: str, cluster: ClusterRef | None, role: str | None, now: datetime
    ) -> FreezeWindow | None:
        """The first freeze window covering this action now, unless the role is exempt.

        ``cluster=None`` (not known yet) matches only windows over every cluster; a cluster
        without a name or an id is matched by every window (fail closed)."""
        for window in self.freezes:
            if not window.active(now) or role in window.except_roles:
                continue
            if cluster is None:
                covered = "*" in window.clusters and window.applies(action, None)
            else:
                names: list[str | None] = [n for n in (cluster.name, cluster.id) if n] or [None]
                covered = any(window.applies(action, n) for n in names)
            if covered:
                return window
        return None

    # -- decisions -----------------------------------------------------------------------
    def can_run(
        self,
        user: UserRef,
        action: str,
        channel: str,
        cluster: ClusterRef | None,
        now: datetime,
    ) -> Decision:
        """May ``user`` run ``action`` from ``channel``? With ``cluster=None`` only the role is
        checked; changing actions must be checked again once the cluster is known."""
        spec = self.registry.get(action)
        rule = self.rule(action)
        if spec is None or rule is None:
            return Decision(False, f"{action!r} is not a known command")
        role = self.role_of(user)
        if role is None and rule.min_role != ANYONE:
            return Decision(False, f"{user.display} has no role in the policy")
        if not self.at_least(role, rule.min_role):
            you = f"you are {role}" if role else "you have no role"
            return Decision(False, f"{spec.name} needs the {rule.min_role} role; {you}")
        if spec.risk is Risk.READ:
            return Decision(True, f"{role} may run {spec.name}")
        if cluster is not None:
            ok, why = self.channel_allows(channel, cluster)
            if not ok:
                return Decision(False, why[0].upper() + why[1:])
        window = self.active_freeze(spec.name, cluster, role, now)
        if window is not None:
            return Decision(False, f"Change freeze {window.name!r} is in effect")
        approvals = rule.approvals
        reason = f"{role} may run {spec.name}" + (
            f" with {approvals} approval{'s' if approvals != 1 else ''} by "
            f"{rule.approver_role or 'anyone'}"
            if approvals
            else " without approval"
        )
        return Decision(
            True,
            reason,
            approvals_needed=approvals,
            approver_role=rule.approver_role,
            ttl=rule.ttl,
            distinct_roles=rule.distinct_roles,
        )

    def can_approve(
        self, approver: UserRef, action: str, requester_id: str, approver_role: str | None
    ) -> Decision:
        """May ``approver`` vote on a request for ``action`` made by ``requester_id``?

        ``approver_role`` is the role recorded with the request (None: the current rule's)."""
        rule = self.rule(action)
        if rule is None:
            return Decision(False, f"{action!r} is not a known command")
        if approver.id == requester_id:
            return Decision(False, "You cannot approve your own request")
        role = self.role_of(approver)
        needed = approver_role or rule.approver_role or rule.min_role
        if not self.at_least(role, needed):
            you = f"you are {role}" if role else "you have no role"
            return Decision(False, f"Approving {action} needs the {needed} role; {you}")
        return Decision(True, f"{role} may approve {action}", approver_role=needed)

    def visible_commands(self, user: UserRef) -> list[tuple[CommandSpec, Decision]]:
        """The commands ``user`` may run (role only), each with its decision (approvals)."""
        role = self.role_of(user)
        out: list[tuple[CommandSpec, Decision]] = []
        for spec in self.registry:
            rule = self.rule(spec.name)
            if rule is not None and self.at_least(role, rule.min_role):
                needs = 0 if spec.risk is Risk.READ else rule.approvals
                out.append((spec, Decision(True, "", approvals_needed=needs)))
        return out

    def holders(self, role: str) -> list[str]:
        """Users and groups granted ``role`` or higher (for explanations)."""
        names = [f"user {u}" for u, r in self.users.items() if self.at_least(r, role)]
        names += [f"group {g}" for g, r in self.groups.items() if self.at_least(r, role)]
        if self.default_role is not None and self.at_least(self.default_role, role):
            names.append("everyone")
        return names
