"""Submitting an allowed (or approved) change to DWS and recording what happened.

Every change has an approvals row, its execution ledger: an approval request moved to
``approved`` by the vote that reached quorum, or, for a change that needs no approval, a row
created straight in ``executing`` (``required_approvals`` 0, never listed as pending).
`run_change`

1. writes the intent: the row moves to ``executing`` (held by this process until
   ``now + services.execution_hold``) and the audit record ``executing`` (with the plan) is
   appended, in one transaction, before anything is sent;
2. calls the command's ``execute``;
3. records the outcome, if this process still holds the row: ``executed`` and then a tracker
   (the row is released to it) or ``succeeded``; ``failed`` (DWS refused, or the request was
   provably never sent); ``unknown`` when the request may have reached DWS without an answer
   (the row is released at once, and the sweeper settles it from DWS's state). An outcome the
   database refuses is retried in the background (`commands.outcomes`).

A process that stops between 1 and 3 leaves an ``executing`` row whose hold runs out: the
sweeper (`commands.sweeper`) finishes it, never sending the request again.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from commands.registry import (
    CommandContext,
    CommandFailure,
    CommandSpec,
    Execution,
    OutcomeUnknown,
    Plan,
)
from commands.replies import Field, Reply, Severity
from commands.services import (
    DB_DOWN,
    Services,
    approval_entry,
    dws_error_text,
    log,
    unexpected,
)
from commands.store.errors import StoreError
from commands.store.models import Approval, ApprovalStatus, AuditEvent
from commands.tracking import Tracking
from dws.errors import DwsApiError, DwsError, DwsTransportError

if TYPE_CHECKING:
    from commands.store.session import UnitOfWork

UNKNOWN_NOTE = (
    "DWS did not answer, so whether it happened is unknown; the bot checks the cluster and "
    "reports the outcome here (it does not send the request again)."
)


@dataclasses.dataclass(frozen=True, slots=True)
class _Outcome:
    """How a call ended: the audit event, the sentence, the DWS error code."""

    event: AuditEvent
    text: str
    code: str | None = None


def planned(ctx: CommandContext, action: str, command_text: str, plan: Plan) -> dict[str, Any]:
    """The fields of an approvals row that say who asked for what, bound to ``plan``'s ids
    (a request waiting for approval and the ledger row of a direct run alike)."""
    user = ctx.user
    return {
        "action": action,
        "command_text": command_text,
        "requester_id": user.id,
        "requester_name": user.display,
        "requester_team": user.team or None,
        "requester_groups": user.groups,
        "channel": ctx.channel,
        "target_name": ctx.target_name,
        "cluster_id": plan.cluster_id,
        "cluster_name": plan.cluster_name,
        "params": plan.params,
        "plan_state": plan.state,
        "bindings": ctx.bindings.resolved,
    }


async def run_change(
    services: Services,
    tracking: Tracking,
    ctx: CommandContext,
    spec: CommandSpec,
    plan: Plan,
    *,
    command_text: str,
    approval_id: str | None = None,
    approvers: Sequence[str] = (),
) -> Reply:
    """Write the intent, execute ``plan``, record the outcome; the reply says what happened.

    ``approval_id``: the approved request (status ``approved``); None for a change that needs
    no approval (a ledger row is created)."""
    assert spec.change is not None
    try:
        ledger = await _intent(services, tracking, ctx, plan, command_text, approval_id, approvers)
    except StoreError:
        return Reply.error(DB_DOWN)
    if ledger is None:
        return Reply.error("This request is no longer approved to run; nothing was executed.")
    started = time.monotonic()
    try:
        execution = await spec.change.execute(ctx, plan)
    except (CommandFailure, DwsError, Exception) as exc:
        ms = int((time.monotonic() - started) * 1000)
        reply, outcome = _failure(exc, plan)
        await _record(services, tracking, ctx, ledger, plan, outcome, None, ms, approvers)
        return _with_ref(reply, approval_id)
    ms = int((time.monotonic() - started) * 1000)
    done = _Outcome(AuditEvent.SUCCEEDED, plan.summary)
    await _record(services, tracking, ctx, ledger, plan, done, execution, ms, approvers)
    return _with_ref(_submitted_reply(execution, plan, approvers), approval_id)


async def _intent(
    services: Services,
    tracking: Tracking,
    ctx: CommandContext,
    plan: Plan,
    command_text: str,
    approval_id: str | None,
    approvers: Sequence[str],
) -> Approval | None:
    """Move the row to ``executing`` and audit the intent, in one transaction (None: lost)."""
    assert services.db is not None
    now = services.clock()
    hold = (tracking.owner, now + services.execution_hold)
    async with services.db.unit_of_work() as uow:
        if approval_id is None:
            ledger: Approval | None = await uow.approvals.create(
                **planned(ctx, plan.action, command_text, plan),
                required_approvals=0,
                expires_at=now,
                now=now,
                status=ApprovalStatus.EXECUTING,
                hold=hold,
            )
        elif await uow.approvals.try_transition(
            approval_id, ApprovalStatus.APPROVED, ApprovalStatus.EXECUTING, now=now, hold=hold
        ):
            ledger = await uow.approvals.get(approval_id)
        else:
            return None
        assert ledger is not None
        await uow.audit.append(
            approval_entry(
                ledger,
                AuditEvent.EXECUTING,
                ctx.user,
                now,
                outcome=plan.summary,
                approvers=list(approvers),
            )
        )
    return ledger


def _failure(exc: BaseException, plan: Plan) -> tuple[Reply, _Outcome]:
    if isinstance(exc, OutcomeUnknown) or (
        isinstance(exc, DwsTransportError) and exc.may_have_reached
    ):
        text = exc.message if isinstance(exc, OutcomeUnknown) else dws_error_text(exc)
        reply = Reply(
            title=f"{plan.summary}: outcome unknown",
            text=f"{text}. {UNKNOWN_NOTE}",
            severity=Severity.WARNING,
        )
        return reply, _Outcome(AuditEvent.UNKNOWN, text)
    if isinstance(exc, CommandFailure):
        reply = Reply.error(exc.message, follow_ups=exc.follow_ups)
        return reply, _Outcome(AuditEvent.FAILED, exc.message)
    if isinstance(exc, DwsError):
        text = dws_error_text(exc)
        code = exc.error_code if isinstance(exc, DwsApiError) else None
        return Reply.error(f"{plan.summary} failed. {text}"), _Outcome(
            AuditEvent.FAILED, text, code
        )
    reply = unexpected(exc, f"execute {plan.action}")
    return reply, _Outcome(AuditEvent.FAILED, reply.text)


async def _record(
    services: Services,
    tracking: Tracking,
    ctx: CommandContext,
    ledger: Approval,
    plan: Plan,
    outcome: _Outcome,
    execution: Execution | None,
    ms: int,
    approvers: Sequence[str],
) -> None:
    """Record the outcome (retried in the background while the database refuses it)."""
    db = services.db
    assert db is not None
    owner = tracking.owner

    async def record() -> None:
        now = services.clock()
        common: dict[str, Any] = {"approvers": list(approvers), "duration_ms": ms}
        async with db.unit_of_work() as uow:
            if execution is None:
                await _record_failure(uow, ctx, ledger, outcome, owner, now, common)
                return
            tracker_id = await _record_submitted(
                uow, tracking, ctx, ledger, plan, execution, now, common
            )
        if tracker_id is not None:
            tracking.launch(tracker_id)

    what = f"{plan.action} of {plan.cluster_name or plan.cluster_id or '-'} ({ledger.id})"
    await services.outcomes.write(what, record)


async def _record_failure(
    uow: UnitOfWork,
    ctx: CommandContext,
    ledger: Approval,
    outcome: _Outcome,
    owner: str,
    now: datetime,
    common: dict[str, Any],
) -> None:
    """``failed``: the row ends failed; ``unknown``: it is released to the sweeper."""
    to = None if outcome.event is AuditEvent.UNKNOWN else ApprovalStatus.FAILED
    if not await _leave(uow, ledger, owner, now, to):
        return
    await uow.approvals.set_result(ledger.id, error_code=outcome.code, text=outcome.text)
    entry = approval_entry(
        ledger,
        outcome.event,
        ctx.user,
        now,
        outcome=outcome.text,
        error_code=outcome.code,
        **common,
    )
    await uow.audit.append(entry)


async def _record_submitted(
    uow: UnitOfWork,
    tracking: Tracking,
    ctx: CommandContext,
    ledger: Approval,
    plan: Plan,
    execution: Execution,
    now: datetime,
    common: dict[str, Any],
) -> str | None:
    """``executed``, then a tracker (the row is released to it) or ``succeeded``; the
    tracker's id to launch after commit."""
    owner = tracking.owner
    to = None if execution.track else ApprovalStatus.SUCCEEDED
    if not await _leave(uow, ledger, owner, now, to):
        return None
    ids = {"request_id": execution.request_id, "job_id": execution.job_id}
    await uow.approvals.set_result(ledger.id, **ids, text=plan.summary)
    await uow.audit.append(
        approval_entry(
            ledger, AuditEvent.EXECUTED, ctx.user, now, outcome=plan.summary, **ids, **common
        )
    )
    if not execution.track:
        done = approval_entry(
            ledger,
            AuditEvent.SUCCEEDED,
            ctx.user,
            now,
            outcome=plan.summary,
            **ids,
            approvers=common["approvers"],
        )
        await uow.audit.append(done)
        return None
    op = await tracking.create(
        uow,
        ctx=ctx,
        plan=plan,
        execution=execution,
        approval_id=ledger.id,
        command_text=ledger.command_text,
        approvers=common["approvers"],
    )
    return op.id


def _submitted_reply(execution: Execution, plan: Plan, approvers: Sequence[str]) -> Reply:
    base = execution.reply
    fields = list(base.fields)
    if approvers:
        fields.append(Field("Approved by", ", ".join(approvers)))
    labels = {f.label.lower() for f in fields}
    if execution.job_id and "job" not in labels:
        fields.append(Field("Job", execution.job_id))
    if execution.request_id and "request id" not in labels:
        fields.append(Field("Request id", execution.request_id))
    title = base.title or plan.summary
    severity = base.severity if base.severity is not Severity.INFO else Severity.SUCCESS
    return Reply(
        title=title,
        text=base.text or ("Submitted; progress follows." if execution.track else "Done."),
        fields=tuple(fields),
        columns=base.columns,
        rows=base.rows,
        actions=base.actions,
        severity=severity,
        follow_ups=base.follow_ups,
        ref=base.ref,
    )


def _with_ref(reply: Reply, ref: str | None) -> Reply:
    if ref is None or reply.ref is not None:
        return reply
    return dataclasses.replace(reply, ref=ref)


async def _leave(
    uow: UnitOfWork, ledger: Approval, owner: str, now: datetime, to: ApprovalStatus | None
) -> bool:
    """End this process's hold on ``ledger``: executing → ``to``, or released (``to`` None: a
    tracker or the sweeper takes over). False if the sweeper settled it meanwhile."""
    if to is None:
        won = await uow.approvals.release(ledger.id, owner, now=now)
    else:
        won = await uow.approvals.try_transition(
            ledger.id, ApprovalStatus.EXECUTING, to, now=now, held_by=owner
        )
    if not won:
        log.warning("approval %s was settled by the sweeper meanwhile", ledger.id)
    return won
