"""The dispatcher: parse → policy → (read) run | (change) plan → approval gate → execute.

Adapters call two methods and render the replies; neither raises:

    dispatcher = Dispatcher(registry, policy, db, dws_factory, clock=..., notify=...)
    reply = await dispatcher.handle(InvocationRequest(user, channel, text, prompt_secret))
    reply = await dispatcher.act(ActionRequest(user, approval_id, choice))

Expected failures (a refusal, a precondition, a DWS error) are one sentence. Anything else is
logged with an error id, and the reply shows the id. When the database is down, changing
commands are refused and nothing is executed; read commands still work.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import SecretStr

from commands.approvals import ApprovalFlow
from commands.execution import run_change
from commands.parsing import Invocation, parse
from commands.policy import ClusterRef, Policy
from commands.registry import (
    CommandContext,
    CommandFailure,
    CommandSpec,
    Plan,
    Registry,
    SecretPrompt,
    UserRef,
)
from commands.replies import Reply
from commands.services import (
    DB_DOWN,
    DwsFactory,
    Notify,
    Services,
    _no_notify,
    dws_error_text,
    entry,
    unexpected,
)
from commands.store.errors import StoreError
from commands.store.models import AuditEvent
from commands.store.session import Database
from commands.sweeper import Sweeper
from commands.tracking import Tracking
from dws.clock import utcnow
from dws.errors import DwsError


@dataclass(frozen=True, slots=True)
class InvocationRequest:
    """Someone typed a command. ``prompt_secret`` asks them for a secret without echo."""

    user: UserRef
    channel: str
    text: str
    prompt_secret: SecretPrompt | None = None


@dataclass(frozen=True, slots=True)
class ActionRequest:
    """Someone clicked a button: ``choice`` is ``approve``, ``deny`` or ``cancel``."""

    user: UserRef
    approval_id: str
    choice: str


def _resolved_cluster(ctx: CommandContext) -> Plan | None:
    """What a plan that failed had found (the cluster its lookup resolved), for its audit."""
    for key, cluster_id in ctx.bindings.resolved.items():
        kind, _, ref = key.partition(":")
        if kind == "cluster":
            return Plan(summary="", cluster_id=cluster_id, cluster_name=ref)
    return None


class Dispatcher:
    """The one entry point of the command layer for every adapter."""

    def __init__(
        self,
        registry: Registry,
        policy: Policy,
        db: Database | None,
        dws_factory: DwsFactory,
        *,
        clock: Callable[[], datetime] = utcnow,
        notify: Notify = _no_notify,
        default_target: str = "default",
        track_interval: float = 5.0,
        dws_timeout: float = 30.0,
        execution_hold: timedelta = timedelta(minutes=10),
    ) -> None:
        self.services = Services(
            registry=registry,
            policy=policy,
            db=db,
            dws_factory=dws_factory,
            clock=clock,
            notify=notify,
            default_target=default_target,
            execution_hold=execution_hold,
        )
        self.tracking = Tracking(self.services, interval=track_interval, call_timeout=dws_timeout)
        self.approvals = ApprovalFlow(self.services, self.tracking)
        self.sweeper = Sweeper(self.services, self.approvals, self.tracking.owner)

    async def handle(self, request: InvocationRequest) -> Reply:
        """Answer a typed command. Never raises."""
        try:
            return await self._handle(request)
        except StoreError:
            return Reply.error(DB_DOWN)
        except Exception as exc:
            return unexpected(exc, "handle")

    async def act(self, request: ActionRequest) -> Reply:
        """Answer a button click on an approval. Never raises."""
        if self.services.db is None:
            return Reply.error(DB_DOWN)
        try:
            user = self.services.with_role(request.user)
            return await self.approvals.act(user, request.approval_id, request.choice)
        except StoreError:
            return Reply.error(DB_DOWN)
        except Exception as exc:
            return unexpected(exc, "act")

    async def resume_trackers(self) -> list[str]:
        """Start polling every tracker left active by a previous run."""
        return await self.tracking.resume_all()

    async def expire_due(self) -> list[Reply]:
        """Expire pending approvals past their ttl (call periodically)."""
        if self.services.db is None:
            return []
        return await self.approvals.expire_due()

    async def sweep(self) -> list[str]:
        """Settle executions a stopped process left behind (at start, then periodically)."""
        if self.services.db is None:
            return []
        return await self.sweeper.sweep()

    async def aclose(self) -> None:
        """Stop the tracker loops and the outcome retries, and give up the leases held (another
        replica, or the next start, resumes the trackers at once)."""
        await self.tracking.aclose()
        await self.sweeper.release()
        await self.services.outcomes.aclose()

    # -- internals -----------------------------------------------------------------------
    async def _handle(self, request: InvocationRequest) -> Reply:
        parsed = parse(request.text, self.services.registry)
        if isinstance(parsed, Reply):
            return parsed
        spec = parsed.spec
        user = self.services.with_role(request.user)
        now = self.services.clock()
        decision = self.services.policy.can_run(user, spec.name, request.channel, None, now)
        if not decision.allowed:
            if spec.changes:
                await self._audit_refusal(user, request.channel, parsed, decision.reason, None)
            return Reply.error(decision.reason + ".", title="Not allowed")
        try:
            ctx = self.services.context(
                user, request.channel, parsed.target, prompt_secret=request.prompt_secret
            )
        except KeyError:
            return Reply.error(f"There is no DWS target named {parsed.target!r}.")
        if spec.run is not None:
            return await self._run_read(spec, ctx, parsed)
        return await self._run_change(spec, ctx, parsed)

    async def _run_read(self, spec: CommandSpec, ctx: CommandContext, inv: Invocation) -> Reply:
        assert spec.run is not None
        try:
            return await spec.run(ctx, inv.args)
        except CommandFailure as exc:
            return Reply.error(exc.message, follow_ups=exc.follow_ups)
        except DwsError as exc:
            return Reply.error(dws_error_text(exc))

    async def _run_change(self, spec: CommandSpec, ctx: CommandContext, inv: Invocation) -> Reply:
        assert spec.change is not None
        if self.services.db is None:
            return Reply.error(DB_DOWN)
        secrets = await self._collect_secrets(spec, ctx)
        if isinstance(secrets, Reply):
            return secrets
        ctx = dataclasses.replace(ctx, secrets=secrets)
        try:
            plan = await spec.change.plan(ctx, inv.args)
        except CommandFailure as exc:
            found = _resolved_cluster(ctx)
            await self._audit_refusal(ctx.user, ctx.channel, inv, exc.message, found, failed=True)
            return Reply.error(exc.message, follow_ups=exc.follow_ups)
        except DwsError as exc:
            text = dws_error_text(exc)
            code = getattr(exc, "error_code", None)
            found = _resolved_cluster(ctx)
            await self._audit_refusal(ctx.user, ctx.channel, inv, text, found, code, failed=True)
            return Reply.error(text)
        plan = dataclasses.replace(plan, action=plan.action or spec.name)
        cluster = ClusterRef(name=plan.cluster_name, id=plan.cluster_id)
        now = self.services.clock()
        decision = self.services.policy.can_run(ctx.user, spec.name, ctx.channel, cluster, now)
        if not decision.allowed:
            await self._audit_refusal(ctx.user, ctx.channel, inv, decision.reason, plan)
            return Reply.error(decision.reason + ".", title="Not allowed")
        if decision.approvals_needed > 0:
            return await self.approvals.request(ctx, inv, plan, decision)
        async with self.services.db.unit_of_work() as uow:
            await uow.audit.append(
                entry(
                    AuditEvent.ALLOWED,
                    ctx.user,
                    channel=ctx.channel,
                    at=now,
                    command_text=inv.text,
                    action=spec.name,
                    target_name=ctx.target_name,
                    cluster_id=plan.cluster_id,
                    cluster_name=plan.cluster_name,
                    params=plan.params,
                    outcome=decision.reason,
                )
            )
        return await run_change(
            self.services, self.tracking, ctx, spec, plan, command_text=inv.text
        )

    async def _collect_secrets(
        self, spec: CommandSpec, ctx: CommandContext
    ) -> dict[str, SecretStr] | Reply:
        values: dict[str, SecretStr] = {}
        for name in spec.secrets:
            if ctx.prompt_secret is None:
                return Reply.error(f"`{spec.name}` asks for a secret, which this chat cannot do.")
            value = await ctx.prompt_secret(f"New {name.replace('_', ' ')} (not echoed): ")
            if not value:
                return Reply.error(f"No {name.replace('_', ' ')} given; nothing was done.")
            values[name] = SecretStr(value)
        return values

    async def _audit_refusal(
        self,
        user: UserRef,
        channel: str,
        inv: Invocation,
        reason: str,
        plan: Plan | None,
        error_code: str | None = None,
        *,
        failed: bool = False,
    ) -> None:
        """Record a refused attempt: by the policy, or (``failed``) by a precondition."""
        db = self.services.db
        if db is None:
            return
        try:
            async with db.unit_of_work() as uow:
                await uow.audit.append(
                    entry(
                        AuditEvent.FAILED if failed else AuditEvent.DENIED_BY_POLICY,
                        user,
                        channel=channel,
                        at=self.services.clock(),
                        command_text=inv.text,
                        action=inv.spec.name,
                        target_name=inv.target or self.services.default_target,
                        cluster_id=plan.cluster_id if plan else None,
                        cluster_name=plan.cluster_name if plan else None,
                        params=plan.params if plan else {},
                        outcome=reason,
                        error_code=error_code,
                    )
                )
        except StoreError:
            pass  # refused anyway; the refusal cannot be recorded while the database is down
