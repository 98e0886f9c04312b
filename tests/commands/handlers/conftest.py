"""Handler tests run against the in-process simulator through the real DWS client.

`sim.run("/dws ...")` parses the text with the real parser and registry, then calls the READ
handler, or the changing command's `plan` and `execute` (what the dispatcher does once the
policy and approvals allow it). The simulator's clock is frozen; tests move it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

import commands.handlers  # noqa: F401
from commands.parsing import Invocation, parse
from commands.registry import CommandContext, Execution, Plan, UserRef, registry
from commands.replies import Reply
from dws.client import DwsClient
from dws.config import DwsTarget
from dws.simulator import SimClock, SimState, defaults
from dws.simulator.app import create_app

TARGET = DwsTarget(
    name="sim",
    endpoint="http://simulator.test",
    project_id=defaults.PROJECT_ID,
    ak=SecretStr(defaults.AK),
    sk=SecretStr(defaults.SK),
)


@dataclass
class Sim:
    """The simulator state and a client to it."""

    state: SimState
    client: DwsClient

    def ctx(self, secrets: Mapping[str, str] | None = None) -> CommandContext:
        """A context as the dispatcher would build it for alice."""
        return CommandContext(
            user=UserRef("alice", "Alice", role="operator"),
            channel="C-test",
            dws=self.client,
            target_name="sim",
            clock=lambda: datetime.fromtimestamp(self.state.now(), UTC),
            secrets={k: SecretStr(v) for k, v in (secrets or {}).items()},
        )

    def invocation(self, text: str) -> Invocation:
        """Parse `text`; fail the test with the usage reply if it does not parse."""
        parsed = parse(text, registry)
        assert isinstance(parsed, Invocation), parsed
        return parsed

    async def read(self, text: str) -> Reply:
        """Run a READ command."""
        inv = self.invocation(text)
        assert inv.spec.run is not None, f"{inv.spec.name} is not a READ command"
        return await inv.spec.run(self.ctx(), inv.args)

    async def plan(self, text: str, secrets: Mapping[str, str] | None = None) -> Plan:
        """Plan a changing command."""
        inv = self.invocation(text)
        assert inv.spec.change is not None, f"{inv.spec.name} is not a changing command"
        return await inv.spec.change.plan(self.ctx(secrets), inv.args)

    async def change(self, text: str, secrets: Mapping[str, str] | None = None) -> Execution:
        """Plan then execute a changing command."""
        inv = self.invocation(text)
        assert inv.spec.change is not None
        ctx = self.ctx(secrets)
        plan = await inv.spec.change.plan(ctx, inv.args)
        return await inv.spec.change.execute(ctx, plan)

    def advance(self, seconds: float) -> None:
        """Move the simulated clock and let every due lifecycle step happen."""
        self.state.clock.advance(seconds)
        self.state.tick()

    def cluster(self, name: str) -> Any:
        """The simulator's cluster by name."""
        return next(c for c in self.state.clusters.values() if c.name == name)

    def posts(self, fragment: str) -> list[Any]:
        """The POST requests the simulator saw whose path contains `fragment`."""
        return [r for r in self.state.request_log if r.method == "POST" and fragment in r.path]


@pytest.fixture
async def sim() -> AsyncIterator[Sim]:
    state = SimState(clock=SimClock(speed=0.0))
    app = create_app(state)
    async with DwsClient(TARGET, transport=httpx.ASGITransport(app=app)) as client:
        yield Sim(state, client)


def cells(reply: Reply, column: str) -> list[str]:
    """The cells of one column of a table reply."""
    index = reply.columns.index(column)
    return [row[index] for row in reply.rows]


def field(reply: Reply, label: str) -> str:
    """The value of a field of a reply."""
    return next(f.value for f in reply.fields if f.label == label)
