"""The shape shared by changing commands that act on one cluster.

`ClusterChange.plan` finds the cluster, reads its details and DR relationships, records the
state an approval is bound to (status, sub-status, task, node count, running DR) and checks the
preconditions from the reference:

- most operations need the cluster AVAILABLE with no task in progress;
- 5.2.2 (Enabling DR): while DR runs, restoration, scale-out, upgrade, restart, node replacement
  and password update are refused on both clusters, and backup on the DR (standby) cluster.

Subclasses name the DWS operation and override `check`, `params` and `body` as needed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel

from commands.handlers._common import (
    JobAnswer,
    active_dr,
    call_answer,
    cluster_detail,
    find_cluster,
    list_dr,
    status_text,
    task_text,
)
from commands.registry import ChangeCommand, CommandContext, CommandFailure, Execution, Plan
from commands.replies import Field, Reply, Severity
from dws.models import ClusterDetail, DisasterRecovery

AVAILABLE = frozenset({"AVAILABLE", "ACTIVE"})


class ClusterArgs(BaseModel):
    """A cluster given by name or id."""

    cluster: str
    """Cluster name or id."""


def cluster_state(detail: ClusterDetail, drs: list[DisasterRecovery]) -> dict[str, Any]:
    """The state an approval is bound to: what, if it moved, makes the request stale."""
    dr = active_dr(drs, detail.id)
    return {
        "status": detail.status,
        "sub_status": detail.sub_status,
        "task_status": detail.task_status or None,
        "nodes": detail.number_of_node,
        "dr": f"{dr.name} ({dr.status})" if dr else None,
    }


def is_available(detail: ClusterDetail) -> bool:
    """True when the cluster is AVAILABLE (or ACTIVE) with no task in progress."""
    return (detail.status or "").upper() in AVAILABLE and not task_text(detail)


def require_available(detail: ClusterDetail, doing: str) -> None:
    """Refuse unless the cluster is available and idle."""
    if not is_available(detail):
        raise CommandFailure(
            f"{detail.name} is {status_text(detail)}; it must be AVAILABLE with no task "
            f"in progress to {doing}"
        )


def require_no_dr(detail: ClusterDetail, state: dict[str, Any], doing: str) -> None:
    """Refuse when the cluster is part of a running DR pair (reference 5.12.2)."""
    if state.get("dr"):
        raise CommandFailure(
            f"{detail.name} is in the running DR pair {state['dr']}; DWS refuses to "
            f"{doing} a cluster while its DR runs (stop DR first)"
        )


class ClusterChange(ChangeCommand):
    """A change of one cluster through one DWS operation taking `cluster_id` in its path."""

    operation: ClassVar[str] = ""
    verb: ClassVar[str] = ""
    """Imperative, lower case: `restart`, `start` ..."""
    forbid_in_dr: ClassVar[bool] = True
    need_available: ClassVar[bool] = True
    track: ClassVar[bool] = True
    settled: ClassVar[tuple[str, ...]] = ("AVAILABLE",)
    """Statuses in which a tracker considers the cluster settled after the operation."""

    async def plan(self, ctx: CommandContext, args: Any) -> Plan:
        """Find the cluster, record its state and check the preconditions."""
        detail = await cluster_detail(ctx.dws, await find_cluster(ctx, args.cluster))
        drs = await list_dr(ctx.dws)
        state = cluster_state(detail, drs)
        if self.forbid_in_dr:
            require_no_dr(detail, state, self.verb)
        if self.need_available:
            require_available(detail, self.verb)
        self.check(detail, state, args)
        name = detail.name or ""
        return Plan(
            summary=self.summary(name, args),
            cluster_id=detail.id,
            cluster_name=name,
            state=state,
            params={"cluster_id": detail.id, **self.params(detail, args)},
        )

    def summary(self, name: str, args: Any) -> str:
        """One line for the approval message."""
        return f"{self.verb.capitalize()} cluster {name}"

    def check(self, detail: ClusterDetail, state: dict[str, Any], args: Any) -> None:
        """Extra preconditions (raise CommandFailure)."""

    def params(self, detail: ClusterDetail, args: Any) -> dict[str, Any]:
        """Extra parameters `execute` needs (JSON-able, no secrets)."""
        return {}

    def body(self, ctx: CommandContext, plan: Plan) -> Any:
        """The request body of the DWS call."""
        return None

    async def execute(self, ctx: CommandContext, plan: Plan) -> Execution:
        """Make the DWS call and say what was submitted."""
        sent = await call_answer(
            ctx.dws,
            self.operation,
            JobAnswer,
            {"cluster_id": plan.params["cluster_id"]},
            self.body(ctx, plan),
        )
        job_id = sent.answer.job_id
        fields = [Field("cluster", f"{plan.cluster_name} ({plan.cluster_id})")]
        if job_id:
            fields.append(Field("job", str(job_id)))
        return Execution(
            reply=Reply(
                title=f"{plan.summary}: submitted",
                fields=tuple(fields),
                severity=Severity.SUCCESS,
                follow_ups=(f"/dws cluster {plan.cluster_name}",),
            ),
            job_id=job_id or None,
            request_id=sent.request_id,
            track=self.track,
            settled_statuses=self.settled,
        )
