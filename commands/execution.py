"""Submitting an allowed (or approved) change to DWS and recording what happened.

`run_change` calls the command's ``execute``, audits ``executed`` (with the DWS request id or
job id and the duration), then either starts a tracker (``track=True``) or records the outcome
right away (``succeeded`` / ``failed``); the approval row, if any, follows the same way.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from typing import Any

from commands.registry import CommandContext, CommandFailure, CommandSpec, Execution, Plan
from commands.replies import Field, Reply, Severity
from commands.services import Services, dws_error_text, entry, log, unexpected
from commands.store.models import ApprovalStatus, AuditEvent
from commands.tracking import Tracking
from dws.errors import DwsApiError, DwsError


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
    """Execute ``plan`` and record it; the reply says what was submitted (or why it failed)."""
    assert spec.change is not None
    started = time.monotonic()
    common: dict[str, Any] = {
        "command_text": command_text,
        "action": spec.name,
        "target_name": ctx.target_name,
        "cluster_id": plan.cluster_id,
        "cluster_name": plan.cluster_name,
        "params": plan.params,
        "approvers": list(approvers),
        "approval_id": approval_id,
    }
    try:
        execution = await spec.change.execute(ctx, plan)
    except (CommandFailure, DwsError, Exception) as exc:
        ms = int((time.monotonic() - started) * 1000)
        reply, code, outcome = _failure(exc, plan)
        await _record_failure(services, ctx, common, approval_id, ms, outcome, code)
        return _with_ref(reply, approval_id)
    ms = int((time.monotonic() - started) * 1000)
    tracker_id = await _record_success(services, tracking, ctx, plan, execution, common, ms)
    if tracker_id is not None:
        tracking.launch(tracker_id)
    return _with_ref(_submitted_reply(execution, plan, approvers), approval_id)


def _failure(exc: BaseException, plan: Plan) -> tuple[Reply, str | None, str]:
    if isinstance(exc, CommandFailure):
        return Reply.error(exc.message, follow_ups=exc.follow_ups), None, exc.message
    if isinstance(exc, DwsError):
        text = dws_error_text(exc)
        code = exc.error_code if isinstance(exc, DwsApiError) else None
        return Reply.error(f"{plan.summary} failed. {text}"), code, text
    reply = unexpected(exc, f"execute {plan.action}")
    return reply, None, reply.text


async def _record_failure(
    services: Services,
    ctx: CommandContext,
    common: Mapping[str, Any],
    approval_id: str | None,
    ms: int,
    outcome: str,
    code: str | None,
) -> None:
    if services.db is None:
        return
    try:
        async with services.db.unit_of_work() as uow:
            now = services.clock()
            await uow.audit.append(
                entry(
                    AuditEvent.FAILED,
                    ctx.user,
                    channel=ctx.channel,
                    at=now,
                    outcome=outcome,
                    error_code=code,
                    duration_ms=ms,
                    **common,
                )
            )
            if approval_id is not None:
                await uow.approvals.try_transition(
                    approval_id, ApprovalStatus.EXECUTING, ApprovalStatus.FAILED, now=now
                )
                await uow.approvals.set_result(approval_id, error_code=code, text=outcome)
    except Exception as exc:  # the DWS call already happened; the reply must still go out
        log.error("could not record a failed %s: %s", common["action"], type(exc).__name__)


async def _record_success(
    services: Services,
    tracking: Tracking,
    ctx: CommandContext,
    plan: Plan,
    execution: Execution,
    common: Mapping[str, Any],
    ms: int,
) -> str | None:
    if services.db is None:
        return None
    approval_id = common["approval_id"]
    assert approval_id is None or isinstance(approval_id, str)
    tracker_id: str | None = None
    try:
        async with services.db.unit_of_work() as uow:
            now = services.clock()
            ids = {"request_id": execution.request_id, "job_id": execution.job_id}
            await uow.audit.append(
                entry(
                    AuditEvent.EXECUTED,
                    ctx.user,
                    channel=ctx.channel,
                    at=now,
                    outcome=plan.summary,
                    duration_ms=ms,
                    **ids,
                    **common,
                )
            )
            if approval_id is not None:
                await uow.approvals.set_result(approval_id, **ids, text=plan.summary)
            if execution.track:
                op = await tracking.create(
                    uow,
                    ctx=ctx,
                    plan=plan,
                    execution=execution,
                    approval_id=approval_id,
                    command_text=common["command_text"],
                    approvers=common["approvers"],
                )
                tracker_id = op.id
            else:
                await uow.audit.append(
                    entry(
                        AuditEvent.SUCCEEDED,
                        ctx.user,
                        channel=ctx.channel,
                        at=now,
                        outcome=plan.summary,
                        **ids,
                        **common,
                    )
                )
                if approval_id is not None:
                    await uow.approvals.try_transition(
                        approval_id, ApprovalStatus.EXECUTING, ApprovalStatus.SUCCEEDED, now=now
                    )
    except Exception as exc:
        log.error("could not record the executed %s: %s", plan.action, type(exc).__name__)
    return tracker_id


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
