"""How an approval request looks: the tally of its votes and the one message that shows it.

`tally` recomputes the state from the stored votes (never from a counter); `approval_reply` is
the message updated in place (``ref`` = approval id) with Approve, Deny and Cancel while pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from commands.policy import Decision
from commands.registry import Plan, Risk, UserRef, registry
from commands.replies import APPROVE, CANCEL, DENY, Action, Field, Reply, Severity
from commands.store.models import Approval, ApprovalStatus, Vote, VoteChoice
from commands.store.redaction import redact


@dataclass(frozen=True, slots=True)
class Tally:
    """The state of the votes: who approved, who denied, and whether the quorum is reached."""

    approvers: tuple[str, ...]
    denied_by: str | None
    count: int
    needed: int
    distinct: bool = False
    """The count is of distinct roles."""

    @property
    def reached(self) -> bool:
        """True when enough (distinct-role, if asked) approvals are in and nobody denied."""
        return self.denied_by is None and self.count >= self.needed


def tally(approval: Approval, votes: Sequence[Vote]) -> Tally:
    """Recompute the state from the stored votes (the requester's own votes never count)."""
    approves = [
        v for v in votes if v.choice == VoteChoice.APPROVE and v.voter_id != approval.requester_id
    ]
    denies = [
        v for v in votes if v.choice == VoteChoice.DENY and v.voter_id != approval.requester_id
    ]
    count = len({v.voter_role for v in approves}) if approval.distinct_roles else len(approves)
    return Tally(
        approvers=tuple(v.voter_name or v.voter_id for v in approves),
        denied_by=(denies[0].voter_name or denies[0].voter_id) if denies else None,
        count=count,
        needed=approval.required_approvals,
        distinct=approval.distinct_roles,
    )


def mentions(approval: Approval, votes: Sequence[Vote]) -> tuple[str, ...]:
    """Who a finished request concerns: the requester, then everyone who approved it (ids)."""
    ids = [approval.requester_id]
    ids += [v.voter_id for v in votes if v.choice == VoteChoice.APPROVE]
    return tuple(dict.fromkeys(i for i in ids if i))


def confirmation(approval: Approval) -> str | None:
    """The question an approver confirms before approving a destructive action, else None."""
    spec = registry.get(approval.action)
    if spec is None or spec.risk is not Risk.DESTRUCTIVE:
        return None
    target = approval.cluster_name or approval.cluster_id or "the target"
    return (
        f"Approve `{approval.action}` on {target}? It is destructive, and runs as soon as "
        "enough approvals are in."
    )


def approval_reply(
    approval: Approval, votes: Sequence[Vote], note: str = "", counted: Tally | None = None
) -> Reply:
    """The one message showing a request; updated in place (``ref`` = approval id).

    ``counted``: the votes as re-judged by the policy in force (default: as stored)."""
    t = counted or tally(approval, votes)
    status = approval.status
    pending = status is ApprovalStatus.PENDING
    target = approval.cluster_name or approval.cluster_id or "-"
    if approval.cluster_id and approval.cluster_name:
        target = f"{approval.cluster_name} ({approval.cluster_id})"
    state = ", ".join(f"{k}={v}" for k, v in approval.plan_state.items() if v not in (None, ""))
    distinct = " from distinct roles" if t.distinct else ""
    votes_text = f"{t.count} of {t.needed}{distinct}" + (
        f" ({', '.join(t.approvers)})" if t.approvers else ""
    )
    fields = [
        Field("Requested by", approval.requester_name or approval.requester_id),
        Field("Command", redact(approval.command_text)),
        Field("Target", f"{target} on {approval.target_name}"),
        Field("State", state or "-"),
        Field("Approvals", votes_text),
        Field("Approver role", ", ".join(approval.approver_roles) or "-"),
        Field("Status", status.value),
    ]
    if pending:
        fields.append(Field("Expires", approval.expires_at.strftime("%Y-%m-%d %H:%M UTC")))
    if t.denied_by:
        fields.append(Field("Denied by", t.denied_by))
    actions: tuple[Action, ...] = ()
    if pending:
        actions = (
            Action("Approve", APPROVE, approval.id, "primary", confirmation(approval)),
            Action("Deny", DENY, approval.id, "danger"),
            Action("Cancel", CANCEL, approval.id),
        )
    severity = {
        ApprovalStatus.PENDING: Severity.WARNING,
        ApprovalStatus.SUCCEEDED: Severity.SUCCESS,
        ApprovalStatus.EXECUTING: Severity.INFO,
        ApprovalStatus.APPROVED: Severity.INFO,
    }.get(status, Severity.ERROR)
    title = f"Approval {'needed' if pending else status.value}: {approval.action} {target}"
    return Reply(
        title=title,
        text=note,
        fields=tuple(fields),
        actions=actions,
        severity=severity,
        ref=approval.id,
    )


def request_note(plan: Plan, decision: Decision, requester: UserRef) -> str:
    n = decision.approvals_needed
    distinct = " from different roles" if decision.distinct_roles else ""
    minutes = int(decision.ttl.total_seconds() // 60)
    return (
        f"{plan.summary}. Needs {n} approval{'s' if n != 1 else ''}{distinct} by the "
        f"{decision.approver_role or 'same'} role or higher, from someone other than "
        f"{requester.display}; expires in {minutes} min."
    )
