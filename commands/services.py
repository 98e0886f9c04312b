"""What the dispatcher, the approval flow and the trackers share: one `Services` object.

Also the small helpers they all use: building a `CommandContext`, audit entries, and turning
errors into replies (an expected failure is a sentence; an unexpected error gets an error id that
is logged with its traceback and shown to the user instead of it).
"""

from __future__ import annotations

import logging
import secrets as _secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import SecretStr

from commands.outcomes import PendingOutcomes
from commands.policy import Policy
from commands.registry import Bindings, CommandContext, DwsCaller, Registry, SecretPrompt, UserRef
from commands.replies import Reply
from commands.store.audit import AuditEntry
from commands.store.models import Approval, AuditEvent
from commands.store.session import Database
from dws.clock import utcnow
from dws.errors import DwsApiError, DwsError

log = logging.getLogger("dwsbot.commands")

DwsFactory = Callable[[str], DwsCaller]
"""``dws_factory(target_name)`` → an open client; raises KeyError for an unknown target."""

Notify = Callable[[str, Reply], Awaitable[None]]
"""``notify(channel, reply)``: post a message, or update the one for ``reply.ref``."""

DEFAULT_TARGET = "default"
DB_DOWN = (
    "The audit database is unavailable, so changing commands are refused until it is back; "
    "nothing was executed."
)


async def _no_notify(channel: str, reply: Reply) -> None:
    return None


@dataclass
class Services:
    """Everything the command layer needs at run time, built once by the adapter's wiring."""

    registry: Registry
    policy: Policy
    db: Database | None
    dws_factory: DwsFactory
    clock: Callable[[], datetime] = utcnow
    notify: Notify = _no_notify
    default_target: str = DEFAULT_TARGET
    vault: dict[str, Mapping[str, SecretStr]] = field(default_factory=dict)
    """Secrets of pending approvals, in memory only (never stored): approval id → values."""
    execution_hold: timedelta = timedelta(minutes=10)
    """How long an approved/executing row is held by its process: longer than a DWS call
    can take (timeout × attempts); past it, with no tracker, the sweeper settles the row."""
    outcomes: PendingOutcomes = field(default_factory=PendingOutcomes)
    """Outcome records waiting for the database (retried in the background)."""

    def context(
        self,
        user: UserRef,
        channel: str,
        target: str | None,
        *,
        prompt_secret: SecretPrompt | None = None,
        secrets: Mapping[str, SecretStr] | None = None,
        bindings: Bindings | None = None,
    ) -> CommandContext:
        """A context for ``user`` in ``channel`` on ``target`` (KeyError: unknown target).

        ``bindings``: replayed references (the re-plan before execution); by default a fresh
        record of what this invocation resolves."""
        name = target or self.default_target
        return CommandContext(
            user=user,
            channel=channel,
            dws=self.dws_factory(name),
            target_name=name,
            clock=self.clock,
            prompt_secret=prompt_secret,
            secrets=dict(secrets or {}),
            services={"registry": self.registry, "policy": self.policy, "db": self.db},
            bindings=bindings if bindings is not None else Bindings(),
        )

    def with_role(self, user: UserRef) -> UserRef:
        """``user`` with the role the policy grants (None when it grants none)."""
        return UserRef(user.id, user.name, user.team, user.groups, self.policy.role_of(user))

    def is_admin(self, user: UserRef) -> bool:
        """True when the user holds the policy's highest role."""
        role = self.policy.role_of(user)
        top = max(self.policy.roles.values())
        return role is not None and self.policy.roles[role] == top


def entry(
    event: AuditEvent,
    user: UserRef | None,
    *,
    channel: str | None = None,
    at: datetime | None = None,
    **values: Any,
) -> AuditEntry:
    """An audit entry for ``user`` (``values`` are `AuditEntry` fields)."""
    return AuditEntry(
        event=event,
        user_id=user.id if user else None,
        user_name=user.display if user else None,
        team=(user.team or None) if user else None,
        channel=channel,
        at=at,
        **values,
    )


def approval_entry(
    approval: Approval, event: AuditEvent, user: UserRef | None, now: datetime, **extra: Any
) -> AuditEntry:
    """The audit entry of a step of ``approval`` (an approval request, or the execution ledger
    row of a change that needed none): the one builder of the approval and execution paths."""
    return entry(
        event,
        user,
        channel=approval.channel,
        at=now,
        command_text=approval.command_text,
        action=approval.action,
        target_name=approval.target_name,
        cluster_id=approval.cluster_id,
        cluster_name=approval.cluster_name,
        params=approval.params,
        approval_id=approval.id,
        **extra,
    )


def new_error_id() -> str:
    """A short id the user can quote and operators can grep in the logs."""
    return "E-" + _secrets.token_hex(4)


def log_unexpected(exc: BaseException, where: str) -> str:
    """Log ``exc`` with its traceback under a new error id; return the id."""
    error_id = new_error_id()
    log.error("error %s in %s: %s", error_id, where, type(exc).__name__, exc_info=exc)
    return error_id


def unexpected(exc: BaseException, where: str) -> Reply:
    """Log ``exc`` with a new error id; a reply that shows the id, never the traceback."""
    error_id = log_unexpected(exc, where)
    return Reply.error(
        f"Something went wrong on our side (error id {error_id}). Nothing more was done; "
        "an operator can look the id up in the bot's log."
    )


def dws_error_text(exc: DwsError) -> str:
    """The one text users see for a DWS error, in chat and on the command line alike.

    A refusal: ``DWS refused <operation> (<code>): <message>. <advice> (request id <id>)`` (the
    advice is the reference's solution for the code); any other error: its own sentence.
    """
    if not isinstance(exc, DwsApiError):
        return str(exc)
    code = exc.error_code or f"HTTP {exc.status}"
    message = (exc.error_msg or exc.explanation or "no message").strip().rstrip(".")
    text = f"DWS refused {exc.operation or 'the request'} ({code}): {message}"
    if exc.solution:
        text += f". {exc.solution.strip().rstrip('.')}"
    if exc.request_id:
        text += f" (request id {exc.request_id})"
    return text
