"""Shared fixtures for the command-layer tests: a small registry of real declared commands."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

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


class ClusterArgs(BaseModel):
    cluster: str


class ListArgs(BaseModel):
    status: str | None = None
    verbose: bool = False
    limit: int = 10


class ParamsSetArgs(BaseModel):
    cluster: str
    pairs: list[str] = []
    force: bool = False


def build_registry() -> Registry:
    """Commands shaped like the real ones, with in-memory effects for pure tests."""
    reg = Registry()

    @reg.command(
        "clusters",
        aliases=("ls",),
        summary="List clusters",
        usage="/dws clusters",
        examples=("/dws clusters",),
        args=ListArgs,
    )
    async def clusters(ctx: CommandContext, args: ListArgs) -> Reply:
        return Reply(title="clusters", text=f"{args.status} {args.verbose} {args.limit}")

    @reg.command(
        "cluster",
        summary="Show a cluster",
        usage="/dws cluster <name|id>",
        examples=("/dws cluster prod-dw",),
        args=ClusterArgs,
        positionals=("cluster",),
    )
    async def cluster(ctx: CommandContext, args: ClusterArgs) -> Reply:
        return Reply(title=args.cluster)

    @reg.command(
        "params set",
        summary="Set parameters",
        usage="/dws params set <cluster> k=v..",
        examples=("/dws params set prod-dw a=1",),
        args=ParamsSetArgs,
        positionals=("cluster", "pairs"),
        min_role="operator",
        risk=Risk.CHANGE,
    )
    class ParamsSet(ChangeCommand):
        async def plan(self, ctx: CommandContext, args: Any) -> Plan:
            if args.cluster == "missing":
                raise CommandFailure("No cluster named missing.")
            return Plan(summary="set", cluster_name=args.cluster, params={"p": args.pairs})

        async def execute(self, ctx: CommandContext, plan: Plan) -> Execution:
            return Execution(reply=Reply(text="done"))

    for name, risk in (
        ("restart", Risk.CHANGE),
        ("stop", Risk.DESTRUCTIVE),
        ("dr failover", Risk.DESTRUCTIVE),
        ("snapshot create", Risk.CHANGE),
    ):

        @reg.command(
            name,
            summary=f"{name} a cluster",
            usage=f"/dws {name} <cluster>",
            examples=(f"/dws {name} prod-dw",),
            args=ClusterArgs,
            positionals=("cluster",),
            min_role="operator",
            risk=risk,
        )
        class Simple(ChangeCommand):
            async def plan(self, ctx: CommandContext, args: Any) -> Plan:
                return Plan(summary="x", cluster_name=args.cluster)

            async def execute(self, ctx: CommandContext, plan: Plan) -> Execution:
                return Execution(reply=Reply(text="done"))

    return reg


@pytest.fixture
def registry() -> Registry:
    return build_registry()
