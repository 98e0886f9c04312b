"""Re-judging a pending approval by the policy in force, which may have changed since the request.

The approval keeps what the policy said when it was asked (count needed, approver role,
distinct roles) and the requester's groups; each vote keeps the voter's groups. Before a vote
can complete the count, `rejudge` decides again with the current policy:

- an approve vote counts only if its voter (id and the groups stored with the vote) may still
  approve the action (`Policy.can_approve` under the current rule);
- the count needed and "distinct roles" (by the voters' current roles) are the current rule's;
- a requester (id and stored groups) whose role no longer reaches the action's minimum voids
  the request.

`Judgement.changes` names what changed, one phrase each ("3 approvals now needed", "1 vote no
longer counts (bob is no longer an approver)"), for the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from commands.approval_view import Tally, tally
from commands.policy import ActionRule, Policy
from commands.registry import UserRef
from commands.store.models import Approval, Vote, VoteChoice


@dataclass(frozen=True, slots=True)
class Judgement:
    """The votes counted under the current policy, what changed, and why the request is void."""

    tally: Tally
    changes: tuple[str, ...] = ()
    void: str | None = None

    @property
    def note(self) -> str:
        """``policy changed: ...``, or empty when the policy says what it said at the request."""
        return "policy changed: " + ", ".join(self.changes) if self.changes else ""


def requester_of(approval: Approval) -> UserRef:
    """The requester as asked: id, name, team and the groups stored with the request."""
    return UserRef(
        approval.requester_id,
        approval.requester_name,
        approval.requester_team or "",
        tuple(approval.requester_groups or ()),
    )


def rejudge(policy: Policy, approval: Approval, votes: Sequence[Vote]) -> Judgement:
    """Count ``votes`` and decide the request again under ``policy`` (pure)."""
    stored = tally(approval, votes)
    rule = policy.rule(approval.action)
    if rule is None:
        return Judgement(stored, void=f"{approval.action} is no longer a known command")
    requester = requester_of(approval)
    role = policy.role_of(requester)
    if not policy.at_least(role, rule.min_role):
        who = requester.display
        now = f"{who} is now {role}" if role else f"{who} has no role now"
        why = f"it needs the {rule.min_role} role; {now}"
        return Judgement(
            stored,
            void=f"the policy changed: {who} may no longer request {approval.action} ({why})",
        )
    counted: list[tuple[str, str | None]] = []
    dropped: list[str] = []
    for vote in votes:
        if vote.choice != VoteChoice.APPROVE or vote.voter_id == approval.requester_id:
            continue
        voter = UserRef(vote.voter_id, vote.voter_name, "", tuple(vote.voter_groups or ()))
        name = vote.voter_name or vote.voter_id
        if policy.can_approve(voter, approval.action, approval.requester_id, None).allowed:
            counted.append((name, policy.role_of(voter)))
        else:
            dropped.append(name)
    count = len({r for _, r in counted}) if rule.distinct_roles else len(counted)
    judged = Tally(
        approvers=tuple(name for name, _ in counted),
        denied_by=stored.denied_by,
        count=count,
        needed=rule.approvals,
        distinct=rule.distinct_roles,
    )
    return Judgement(judged, changes=_changes(approval, rule, dropped))


def _changes(approval: Approval, rule: ActionRule, dropped: Sequence[str]) -> tuple[str, ...]:
    changes: list[str] = []
    needed = rule.approvals
    if needed != approval.required_approvals:
        changes.append(f"{needed} approval{'s' if needed != 1 else ''} now needed")
    was = approval.approver_roles[0] if approval.approver_roles else None
    if rule.approver_role != was:
        changes.append(f"approvals now need the {rule.approver_role or rule.min_role} role")
    if rule.distinct_roles != approval.distinct_roles:
        changes.append(
            "approvals must now come from distinct roles"
            if rule.distinct_roles
            else "approvals no longer need distinct roles"
        )
    if dropped:
        n = len(dropped)
        names = dropped[0] if n == 1 else ", ".join(dropped[:-1]) + " and " + dropped[-1]
        whom = f"{names} is no longer an approver" if n == 1 else f"{names} are no longer approvers"
        changes.append(
            f"{n} vote{'s' if n != 1 else ''} no longer count{'s' if n == 1 else ''} ({whom})"
        )
    return tuple(changes)
