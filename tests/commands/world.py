"""A tiny in-memory world and commands acting on it, to test the approval machinery by itself.

These are real declared commands (plan/execute) whose effects live in a dict instead of DWS; the
end-to-end tests (test_e2e_simulator.py) use the real handlers against the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from commands.dispatch import Dispatcher
from commands.policy import Policy, load_policy_text
from commands.registry import (
    ChangeCommand,
    CommandContext,
    CommandFailure,
    Execution,
    Plan,
    Registry,
    Risk,
)
from commands.replies import Reply
from commands.store.session import Database


@dataclass
class World:
    clusters: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {
            "prod-dw": {"id": "c-1", "status": "AVAILABLE", "nodes": 3},
            "dev-dw": {"id": "c-2", "status": "AVAILABLE", "nodes": 3},
        }
    )
    executed: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    secrets_seen: list[str] = field(default_factory=list)
    broken: bool = False
    """When set, planning hits an unexpected error (a bug in a handler)."""


class Args(BaseModel):
    cluster: str


class NoArgs(BaseModel):
    pass


def build(world: World) -> Registry:
    reg = Registry()

    @reg.command(
        "clusters", summary="List", usage="/dws clusters", examples=("/dws clusters",), args=NoArgs
    )
    async def clusters(ctx: CommandContext, args: NoArgs) -> Reply:
        return Reply(title="Clusters", columns=("name",), rows=tuple((n,) for n in world.clusters))

    @reg.command("boom", summary="Fails", usage="/dws boom", examples=("/dws boom",), args=NoArgs)
    async def boom(ctx: CommandContext, args: NoArgs) -> Reply:
        raise RuntimeError("internal detail that must not be shown")

    class WorldChange(ChangeCommand):
        verb = ""

        async def plan(self, ctx: CommandContext, args: Any) -> Plan:
            if world.broken:
                raise RuntimeError("bug")
            c = world.clusters.get(args.cluster)
            if c is None:
                raise CommandFailure(f"no cluster named {args.cluster!r}")
            if c["status"] != "AVAILABLE":
                raise CommandFailure(f"{args.cluster} is {c['status']}")
            return Plan(
                summary=f"{self.verb} {args.cluster}",
                cluster_id=c["id"],
                cluster_name=args.cluster,
                state={"status": c["status"], "nodes": c["nodes"]},
                params={"cluster_id": c["id"]},
            )

        async def execute(self, ctx: CommandContext, plan: Plan) -> Execution:
            world.executed.append((self.verb, ctx.user.id, plan.params))
            if "password" in ctx.secrets:
                world.secrets_seen.append(ctx.secrets["password"].get_secret_value())
            return Execution(reply=Reply(text=f"{self.verb} submitted"), request_id="req-1")

    for name, risk, secrets in (
        ("restart", Risk.CHANGE, ()),
        ("stop", Risk.DESTRUCTIVE, ()),
        ("reset-password", Risk.CHANGE, ("password",)),
    ):

        @reg.command(
            name,
            summary=name,
            usage=f"/dws {name} <cluster>",
            examples=(f"/dws {name} prod-dw",),
            args=Args,
            positionals=("cluster",),
            min_role="operator",
            risk=risk,
            secrets=secrets,
        )
        class Cmd(WorldChange):
            verb = name

    return reg


POLICY = """\
roles: [viewer, operator, admin]
default_role: null
users: {alice: operator, bob: operator, dave: operator, carol: admin, victor: viewer}
groups: {ops: operator}
channels:
  C-OPS: ["*"]
  C-DEV: ["dev-*"]
defaults:
  change: {min_role: operator, approvals: 1, approver_role: operator, ttl: 30m}
  destructive: {min_role: operator, approvals: 2, approver_role: operator, ttl: 30m}
actions: {}
"""


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


class Notes:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []

    async def __call__(self, channel: str, reply: Reply) -> None:
        self.sent.append((channel, reply))


class NoDws:
    """The world commands never call DWS; a call would be a bug in the test."""

    async def call(self, op_name: str, params: Any = None, body: Any = None) -> Any:
        raise AssertionError(f"unexpected DWS call {op_name}")

    async def call_model(
        self, operation: str, model: Any, params: Any = None, body: Any = None
    ) -> Any:
        raise AssertionError(f"unexpected DWS call {operation}")

    async def send(self, operation: str, params: Any = None, body: Any = None) -> Any:
        raise AssertionError(f"unexpected DWS call {operation}")


def make_dispatcher(
    world: World, db: Database | None, clock: Clock, notes: Notes, policy_text: str = POLICY
) -> tuple[Dispatcher, Policy]:
    registry = build(world)
    policy = load_policy_text(policy_text, registry, where="test.yaml")
    factory = {"default": NoDws(), "other": NoDws()}
    dispatcher = Dispatcher(registry, policy, db, factory.__getitem__, clock=clock, notify=notes)
    return dispatcher, policy
