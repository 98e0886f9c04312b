"""`/dws audit [cluster] [--user U] [--action A] [--since 2h]`: read the audit log back."""

from __future__ import annotations

from pydantic import BaseModel, Field

from commands.durations import parse_since
from commands.handlers._common import short
from commands.registry import CommandContext, CommandFailure, command
from commands.replies import Reply
from commands.store.errors import MalformedRecordError, StoreError
from commands.store.models import AuditEvent


class AuditArgs(BaseModel):
    """Arguments of `audit`."""

    cluster: str | None = None
    """A cluster name or id."""
    user: str | None = None
    """A user id or name."""
    action: str | None = None
    """A command name, e.g. `restart` or `"dr failover"`."""
    event: str | None = None
    """One event: requested, approved, executed, succeeded, failed, denied_by_policy ..."""
    since: str | None = None
    """How far back: 2h, 1d, 1w, or a date or time (2026-11-27, 2026-11-27T08:00; UTC unless a
    zone is given)."""
    limit: int = Field(default=20, ge=1, le=200)
    """How many records at most."""


AUDIT_DOWN = "The audit database is unavailable, so the audit log cannot be read right now."


@command(
    "audit",
    summary="Show recent audit records (who did what, when, with which outcome)",
    usage="/dws audit [cluster] [--user U] [--action A] [--event E] [--since 2h|1w|TIME] "
    "[--limit N]  (TIME like 2026-11-27T08:00 is UTC unless it names a zone)",
    examples=(
        "/dws audit",
        "/dws audit prod-dw --since 1w",
        "/dws audit --since 2026-11-27T08:00",
        "/dws audit --user alice",
    ),
    args=AuditArgs,
    positionals=("cluster",),
)
async def audit(ctx: CommandContext, args: AuditArgs) -> Reply:
    """Query the audit log, newest first."""
    db = ctx.services.get("db")
    if db is None:
        return Reply.error(AUDIT_DOWN)
    event = None
    if args.event:
        try:
            event = AuditEvent(args.event.lower())
        except ValueError:
            known = ", ".join(e.value for e in AuditEvent)
            return Reply.error(f"Unknown event {args.event[:30]!r}; one of {known}.")
    try:
        since = parse_since(args.since, now=ctx.clock()) if args.since else None
    except ValueError as exc:
        raise CommandFailure(f"--since: {exc}") from None
    try:
        async with db.unit_of_work(readonly=True) as uow:
            records = await uow.audit.query(
                cluster=args.cluster,
                user=args.user,
                action=args.action,
                event=event,
                since=since,
                limit=args.limit,
            )
    except MalformedRecordError as exc:
        return Reply.error(f"{exc}.")
    except StoreError:
        return Reply.error(AUDIT_DOWN)
    rows = tuple(
        (
            r.at.strftime("%Y-%m-%d %H:%M:%S"),
            r.event.value,
            r.user_name or r.user_id or "-",
            r.action or "-",
            r.cluster_name or r.cluster_id or "-",
            short(r.outcome or r.error_code or ""),
        )
        for r in records
    )
    if not rows:
        return Reply(title="Audit", text="No audit records match.")
    return Reply(
        title=f"Audit: {len(rows)} record{'s' if len(rows) != 1 else ''}, newest first",
        columns=("at (UTC)", "event", "user", "action", "cluster", "outcome"),
        rows=rows,
    )


__all__ = ["AuditArgs", "audit"]
