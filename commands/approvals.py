"""Approvals: a stored state machine, reconciled from the stored votes on every click.

    pending ──quorum──▶ approved ──intent──▶ executing ──▶ succeeded | failed | interrupted
       │                    └──state changed / precondition gone──▶ voided
       ├──deny by an eligible approver──▶ denied
       ├──requester or admin cancels──▶ cancelled
       └──ttl passed──▶ expired

A vote is stored first (one per voter: the store's unique constraint), then, in a second
transaction, the tally is recomputed from every committed vote and the winner of the conditional
transition pending→approved (`try_transition`: exactly one caller) runs the command: ``plan`` is
run again for fresh state, and if the state the approval was bound to moved the approval is
voided and the requester told why; otherwise `run_change` moves it to executing with the audit
intent and executes the stored plan. A process that stops while a request is approved leaves it
to the sweeper, which voids it (nothing was sent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from commands.approval_rules import rejudge, requester_of
from commands.approval_view import Tally, approval_reply, mentions, request_note, tally
from commands.execution import planned, run_change
from commands.parsing import Invocation, parse
from commands.policy import ClusterRef, Decision
from commands.registry import Bindings, CommandContext, CommandFailure, Plan, UserRef
from commands.replies import APPROVE, CANCEL, DENY, Reply
from commands.services import (
    Services,
    approval_entry,
    dws_error_text,
    log_unexpected,
    unexpected,
)
from commands.store.models import Approval, ApprovalStatus, AuditEvent, Vote, VoteChoice

__all__ = ["ApprovalFlow", "Tally", "approval_reply", "tally"]
from commands.tracking import Tracking
from dws.errors import DwsError

if TYPE_CHECKING:
    from commands.store.session import Database, UnitOfWork


class _AlreadyVoted(Exception):
    """Rolls back a deny whose voter had already voted (the transition must not stand)."""


def _already(approval: Approval, votes: Sequence[Vote]) -> Reply:
    """The answer to a click that changed nothing (the request was decided already, or another
    click decided it first): what the request is now, for the clicker alone (no ``ref``: the
    request's message is left as the click that decided it made it)."""
    note = f"This request is already {approval.status.value}."
    return replace(approval_reply(approval, votes, note=note), ref=None)


class ApprovalFlow:
    """Requests, votes, cancels and expiry, and the execution of approved requests."""

    def __init__(self, services: Services, tracking: Tracking) -> None:
        self.services = services
        self.tracking = tracking

    @property
    def _db(self) -> Database:
        db = self.services.db
        assert db is not None
        return db

    async def request(
        self, ctx: CommandContext, inv: Invocation, plan: Plan, decision: Decision
    ) -> Reply:
        """Store a pending approval bound to ``plan`` and audit ``requested``."""
        now = self.services.clock()
        user = ctx.user
        async with self._db.unit_of_work() as uow:
            approval = await uow.approvals.create(
                **planned(ctx, inv.spec.name, inv.text, plan),
                required_approvals=decision.approvals_needed,
                approver_roles=[decision.approver_role] if decision.approver_role else [],
                distinct_roles=decision.distinct_roles,
                expires_at=now + decision.ttl,
                now=now,
            )
            await uow.audit.append(
                approval_entry(approval, AuditEvent.REQUESTED, user, now, outcome=plan.summary)
            )
        if ctx.secrets:
            self.services.vault[approval.id] = dict(ctx.secrets)
        return approval_reply(approval, [], note=request_note(plan, decision, user))

    async def act(self, user: UserRef, approval_id: str, choice: str) -> Reply:
        """Handle a click: approve, deny or cancel. Never trusts anything but the id.

        The row is locked for the click, and every state change is one conditional UPDATE
        whose result alone decides what is said, audited and notified."""
        try:
            return await self._act(user, approval_id, choice)
        except _AlreadyVoted:
            return Reply.error("You have already voted on this request.", title="Vote refused")

    async def _act(self, user: UserRef, approval_id: str, choice: str) -> Reply:
        now = self.services.clock()
        async with self._db.unit_of_work() as uow:
            approval = await uow.approvals.get(approval_id, with_votes=True, lock=True)
            if approval is None:
                return Reply.error("That approval request does not exist.")
            votes = list(approval.votes)
            if approval.status is ApprovalStatus.PENDING and now >= approval.expires_at:
                return await self._expire(uow, approval, votes, now)
            if approval.status is not ApprovalStatus.PENDING:
                return _already(approval, votes)
            if choice == CANCEL:
                return await self._cancel(uow, approval, votes, user, now)
            if choice not in (APPROVE, DENY):
                return Reply.error(f"Unknown choice {choice[:20]!r}.")
            # The current rule's approver role: votes are re-judged by the policy in force.
            decision = self.services.policy.can_approve(
                user, approval.action, approval.requester_id, None
            )
            if not decision.allowed:
                await uow.audit.append(
                    approval_entry(
                        approval,
                        AuditEvent.DENIED_BY_POLICY,
                        user,
                        now,
                        outcome=f"{choice} refused: {decision.reason}",
                    )
                )
                return Reply.error(decision.reason + ".", title="Vote refused")
            if choice == DENY and not await uow.approvals.try_transition(
                approval.id, ApprovalStatus.PENDING, ApprovalStatus.DENIED, now=now
            ):
                return await self._lost(uow, approval_id)
            role = self.services.policy.role_of(user) or ""
            added = await uow.approvals.add_vote(
                approval.id,
                voter_id=user.id,
                voter_name=user.display,
                voter_role=role,
                voter_groups=user.groups,
                choice=VoteChoice(choice),
                at=now,
            )
            if not added:
                if choice == DENY:  # undo the transition: this voter had already approved
                    raise _AlreadyVoted
                return Reply.error("You have already voted on this request.", title="Vote refused")
            event = AuditEvent.DENIED if choice == DENY else AuditEvent.APPROVED
            await uow.audit.append(approval_entry(approval, event, user, now, outcome=event.value))
            if choice == DENY:
                self.services.vault.pop(approval.id, None)
        return await self._reconcile(approval_id, user)

    async def _lost(self, uow: UnitOfWork, approval_id: str) -> Reply:
        """Another click changed the request first: say what it is now."""
        approval = await uow.approvals.get(approval_id, with_votes=True)
        assert approval is not None
        return _already(approval, list(approval.votes))

    async def _expire(
        self, uow: UnitOfWork, approval: Approval, votes: list[Vote], now: datetime
    ) -> Reply:
        return await self._close(
            uow,
            approval,
            votes,
            (ApprovalStatus.EXPIRED, AuditEvent.EXPIRED),
            None,
            now,
            outcome="expired before quorum",
            note="This request expired; ask again.",
        )

    async def _cancel(
        self, uow: UnitOfWork, approval: Approval, votes: list[Vote], user: UserRef, now: datetime
    ) -> Reply:
        if user.id != approval.requester_id and not self.services.is_admin(user):
            reason = "Only the requester or an admin can cancel this request"
            refused = f"cancel refused: {reason}"
            await uow.audit.append(
                approval_entry(approval, AuditEvent.DENIED_BY_POLICY, user, now, outcome=refused)
            )
            return Reply.error(reason + ".", title="Cancel refused")
        return await self._close(
            uow,
            approval,
            votes,
            (ApprovalStatus.CANCELLED, AuditEvent.CANCELLED),
            user,
            now,
            outcome="cancelled",
            note=f"Cancelled by {user.display}.",
        )

    async def _close(
        self,
        uow: UnitOfWork,
        approval: Approval,
        votes: list[Vote],
        end: tuple[ApprovalStatus, AuditEvent],
        user: UserRef | None,
        now: datetime,
        *,
        outcome: str,
        note: str,
    ) -> Reply:
        """End a pending request (expired, cancelled) if this UPDATE wins; else say what won."""
        status, event = end
        if not await uow.approvals.try_transition(
            approval.id, ApprovalStatus.PENDING, status, now=now
        ):
            return await self._lost(uow, approval.id)
        await uow.audit.append(approval_entry(approval, event, user, now, outcome=outcome))
        self.services.vault.pop(approval.id, None)
        approval.status = status
        return approval_reply(approval, votes, note=note)

    async def _reconcile(self, approval_id: str, user: UserRef) -> Reply:
        """Recompute from every committed vote, re-judged by the policy in force (it may have
        changed since the request); the one winner of pending→approved executes."""
        now = self.services.clock()
        async with self._db.unit_of_work() as uow:
            # Locked like a click: the status and the votes are read together, never a status
            # from before a concurrent cancel or deny with the votes from after it.
            approval = await uow.approvals.get(approval_id, with_votes=True, lock=True)
            assert approval is not None
            votes = list(approval.votes)
            judged = rejudge(self.services.policy, approval, votes)
            pending = approval.status is ApprovalStatus.PENDING
            won = False
            if pending and (judged.void is not None or judged.tally.reached):
                won = await uow.approvals.try_transition(
                    approval_id,
                    ApprovalStatus.PENDING,
                    ApprovalStatus.APPROVED,
                    now=now,
                    hold=(self.tracking.owner, now + self.services.execution_hold),
                )
        if not won:
            if approval.status is ApprovalStatus.DENIED:
                denier = tally(approval, votes).denied_by or user.display
                denied = approval_reply(approval, votes, note=f"Denied by {denier}.")
                mine = any(v.voter_id == user.id and v.choice is VoteChoice.DENY for v in votes)
                return denied if mine else replace(denied, ref=None)  # lost to a deny: no-op
            if approval.status is not ApprovalStatus.PENDING:
                return _already(approval, votes)
            note = f"Vote by {user.display} recorded."
            if judged.changes:
                note += f" The {judged.note}."
            return approval_reply(approval, votes, note=note, counted=judged.tally)
        approval.status = ApprovalStatus.APPROVED
        if judged.void is not None:
            return await self._void(approval, votes, judged.void)
        return await self.execute_approved(approval, votes, judged.tally)

    async def execute_approved(
        self, approval: Approval, votes: Sequence[Vote], counted: Tally | None = None
    ) -> Reply:
        """Re-plan for fresh state; void if it moved, else execute the stored plan.

        ``counted``: the votes as re-judged by the policy in force (who is recorded as
        having approved)."""
        approvers = (counted or tally(approval, votes)).approvers
        spec = self.services.registry.get(approval.action)
        parsed = parse(approval.command_text, self.services.registry)
        if spec is None or spec.change is None or not isinstance(parsed, Invocation):
            return await self._void(approval, votes, "the command can no longer be read back")
        secrets = self.services.vault.pop(approval.id, {})
        if spec.secrets and not secrets:
            return await self._void(
                approval, votes, "its secret input was not kept (the bot restarted); ask again"
            )
        requester = self.services.with_role(requester_of(approval))
        try:
            ctx = self.services.context(
                requester,
                approval.channel or "",
                approval.target_name,
                secrets=secrets,
                bindings=Bindings.replaying(approval.bindings),
            )
        except KeyError:
            return await self._void(
                approval, votes, f"the DWS target {approval.target_name!r} is gone"
            )
        try:
            fresh = await spec.change.plan(ctx, parsed.args)
        except CommandFailure as exc:
            return await self._void(approval, votes, exc.message)
        except DwsError as exc:
            return await self._void(
                approval, votes, "its state could not be checked: " + dws_error_text(exc)
            )
        except Exception as exc:  # never leave the request stuck in `executing`
            error_id = log_unexpected(exc, f"re-plan {approval.action}")
            reason = f"an internal error occurred (error id {error_id})"
            return await self._void(approval, votes, reason)
        why = spec.change.state_changed(approval.plan_state, fresh.state)
        if why is None and fresh.cluster_id != approval.cluster_id:
            why = "it no longer designates the approved cluster"
        if why is not None:
            return await self._void(approval, votes, why)
        # The policy again, as of now: a freeze may have begun, or the requester lost the role.
        decision = self.services.policy.can_run(
            requester,
            spec.name,
            approval.channel or "",
            ClusterRef(name=fresh.cluster_name, id=fresh.cluster_id),
            self.services.clock(),
        )
        if not decision.allowed:
            reason = decision.reason[:1].lower() + decision.reason[1:]
            return await self._void(approval, votes, f"the policy refuses it now: {reason}")
        plan = Plan(
            summary=fresh.summary,
            cluster_id=approval.cluster_id,
            cluster_name=approval.cluster_name,
            state=approval.plan_state,
            params=approval.params,
            action=spec.name,
        )
        return await run_change(
            self.services,
            self.tracking,
            ctx,
            spec,
            plan,
            command_text=approval.command_text,
            approval_id=approval.id,
            approvers=approvers,
        )

    async def void_stale(self, approval: Approval) -> Reply:
        """Void a request left approved by a process that stopped before executing it."""
        async with self._db.unit_of_work(readonly=True) as uow:
            votes = await uow.approvals.votes(approval.id)
        self.services.vault.pop(approval.id, None)
        return await self._void(approval, votes, "the bot stopped before executing it")

    async def _void(self, approval: Approval, votes: Sequence[Vote], why: str) -> Reply:
        now = self.services.clock()
        requester = requester_of(approval)
        text = (
            f"The approval is void: {why}. Nothing was executed; {requester.display} may ask again."
        )
        async with self._db.unit_of_work() as uow:
            if await uow.approvals.try_transition(
                approval.id, ApprovalStatus.APPROVED, ApprovalStatus.VOIDED, now=now
            ):
                await uow.audit.append(
                    approval_entry(approval, AuditEvent.VOIDED, requester, now, outcome=why)
                )
                await uow.approvals.set_result(approval.id, text=why)
        approval.status = ApprovalStatus.VOIDED
        reply = replace(approval_reply(approval, votes, note=text), mention=mentions(approval, ()))
        try:
            await self.services.notify(approval.channel or "", reply)
        except Exception as exc:
            unexpected(exc, "notify void")
        return reply

    async def expire_due(self) -> list[Reply]:
        """Expire every pending request past its ttl (a periodic worker calls this)."""
        now = self.services.clock()
        replies: list[tuple[str, Reply]] = []
        async with self._db.unit_of_work() as uow:
            ids = await uow.approvals.expire_due(now=now, statuses=(ApprovalStatus.PENDING,))
            for approval_id in ids:
                approval = await uow.approvals.get(approval_id, with_votes=True)
                if approval is None:
                    continue
                await uow.audit.append(
                    approval_entry(
                        approval, AuditEvent.EXPIRED, None, now, outcome="expired before quorum"
                    )
                )
                self.services.vault.pop(approval_id, None)
                note = "This request expired; ask again."
                replies.append((approval.channel or "", approval_reply(approval, [], note=note)))
        for channel, reply in replies:
            await self.services.notify(channel, reply)
        return [reply for _, reply in replies]
