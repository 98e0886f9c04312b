"""A process killed between the DWS call and its outcome record, for real: the bot runs in a
subprocess against the simulator served over HTTP, the restart lands and its answer is held back,
the process gets SIGKILL; a fresh runtime on the same SQLite file settles it with its sweeper."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.settings import load_settings
from bot.wiring import open_runtime
from commands.audit import verify
from commands.dispatch import InvocationRequest
from commands.policy import bundled_policy_text
from commands.registry import UserRef
from commands.replies import Severity
from commands.store.models import Approval, ApprovalStatus
from dws.simulator import SimClock, SimState, defaults
from dws.simulator.faults import FaultInjector
from tests.dws.simulator.served import Served

RESTART = "*/clusters/*/restart"
AUDIT_KEY = "crash-test-audit-key-0123456789abcdef"
SCRIPT = """
import asyncio, sys
from bot.settings import load_settings
from bot.wiring import open_runtime
from commands.dispatch import InvocationRequest
from commands.registry import UserRef

async def main():
    async with open_runtime(load_settings()) as rt:
        reply = await rt.dispatcher.handle(
            InvocationRequest(UserRef("alice", "alice"), "C1", "/dws restart " + sys.argv[1]))
        print("replied:", reply.title, flush=True)

asyncio.run(main())
"""


@pytest.fixture
def served() -> Iterator[Served]:
    with Served(SimState(clock=SimClock(speed=1.0)), FaultInjector()) as s:
        yield s


@pytest.fixture
def bot_env(tmp_path: Path, served: Served, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        bundled_policy_text("demo").replace("actions:\n", "actions:\n  restart: {approvals: 0}\n")
    )
    values = {
        "DWSBOT_DWS_ENDPOINT": served.endpoint,
        "DWSBOT_DWS_PROJECT_ID": defaults.PROJECT_ID,
        "DWSBOT_DWS_AK": defaults.AK,
        "DWSBOT_DWS_SK": defaults.SK,
        "DWSBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "DWSBOT_POLICY_FILE": str(policy),
        "DWSBOT_AUDIT_KEY": AUDIT_KEY,
        "DWSBOT_DATA_DIR": str(tmp_path),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def idle_cluster(state: SimState) -> str:
    busy = {i for dr in state.dr_tasks.values() for i in (dr.primary_id, dr.standby_id)}
    return next(
        c.name
        for c in state.clusters.values()
        if c.status == "AVAILABLE" and c.task is None and c.id not in busy
    )


def restarted(state: SimState) -> bool:
    return any(c.task is not None for c in state.clusters.values())


async def test_killed_after_the_restart_landed_ends_as_one_settled_approval(
    served: Served, bot_env: dict[str, str]
) -> None:
    state = served.state
    held = served.faults.add("hold", RESTART, method="POST", seconds=600)
    name = idle_cluster(state)

    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, name],
        env={**os.environ, **bot_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not restarted(state):  # the call landed; its answer is held back
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the restart never reached the simulator"
            time.sleep(0.01)
        proc.kill()  # SIGKILL: no cleanup, no outcome record
    finally:
        out, err = proc.communicate(timeout=60)
    assert "replied" not in out, out + err

    later = timedelta(hours=1)  # the dead process's hold has run out
    async with open_runtime(load_settings(), clock=lambda: datetime.now(UTC) + later) as rt:
        async with rt.db.unit_of_work(readonly=True) as uow:
            [row] = (await uow.session.scalars(sa.select(Approval))).all()
        assert row.status is ApprovalStatus.EXECUTING
        state.clock.advance(3600)  # DWS finishes the restart meanwhile
        assert await rt.dispatcher.sweep() == [row.id]
        assert await rt.dispatcher.sweep() == []
        async with rt.db.unit_of_work(readonly=True) as uow:
            row = (await uow.session.scalars(sa.select(Approval))).one()
            trail = [r.event.value for r in await uow.audit.query(limit=10)]
        assert row.status is ApprovalStatus.SUCCEEDED
        assert list(reversed(trail)) == ["allowed", "executing", "succeeded"]
        report = await verify(rt.db)
        assert report.ok and report.keyed, report.problems()
    assert held.fired == 1  # one restart reached DWS, and no second one


async def test_a_post_that_timed_out_is_unknown_then_settled(
    served: Served, bot_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = served.state
    monkeypatch.setenv("DWSBOT_DWS_TIMEOUT", "1")
    held = served.faults.add("hold", RESTART, method="POST", seconds=30)
    name = idle_cluster(state)
    async with open_runtime(load_settings()) as rt:
        reply = await rt.dispatcher.handle(
            InvocationRequest(UserRef("alice", "alice"), "C1", f"/dws restart {name}")
        )
        assert reply.severity is Severity.WARNING and "outcome unknown" in reply.title, reply
        assert restarted(state)  # it did land
        async with rt.db.unit_of_work(readonly=True) as uow:
            row = (await uow.session.scalars(sa.select(Approval))).one()
        assert row.status is ApprovalStatus.EXECUTING
        state.clock.advance(3600)
        assert await rt.dispatcher.sweep() == [row.id]
        async with rt.db.unit_of_work(readonly=True) as uow:
            row = (await uow.session.scalars(sa.select(Approval))).one()
            trail = [r.event.value for r in await uow.audit.query(limit=10)]
        assert row.status is ApprovalStatus.SUCCEEDED
        assert list(reversed(trail)) == ["allowed", "executing", "unknown", "succeeded"]
    assert held.fired == 1  # a POST that may have landed is never sent again
