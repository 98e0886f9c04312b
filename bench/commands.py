"""Command-layer overhead: `/dws clusters` through the dispatcher (prints figures; not a test).

1,000 `/dws clusters` go through the whole command layer — parser, policy, handler, the real
DWS client (AK/SK signing, httpx) — against the in-process simulator holding 200 clusters
(`httpx.ASGITransport`, no socket), with start-up objects frozen out of the garbage collector
as the bot does (`bot.wiring.freeze_startup_objects`). Times are process CPU time; the time
spent inside the simulator app is measured by a wrapper around it and subtracted, so the figure
is our own cost per command (target: median under 5 ms). Reads do not touch the database.

    .venv/bin/python bench/commands.py [--commands 1000] [--clusters 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from pydantic import SecretStr  # noqa: E402

import commands.handlers  # noqa: E402, F401
from bot.wiring import freeze_startup_objects  # noqa: E402
from commands.dispatch import Dispatcher, InvocationRequest  # noqa: E402
from commands.policy import bundled_policy  # noqa: E402
from commands.registry import UserRef, registry  # noqa: E402
from dws.client import DwsClient  # noqa: E402
from dws.config import DwsTarget  # noqa: E402
from dws.simulator import defaults  # noqa: E402
from dws.simulator.app import create_app  # noqa: E402
from dws.simulator.clock import SimClock  # noqa: E402
from dws.simulator.state import Fleet  # noqa: E402


class Timed:
    """An ASGI wrapper adding up the time spent inside the wrapped app."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.spent = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start = time.process_time()
        try:
            await self.app(scope, receive, send)
        finally:
            self.spent += time.process_time() - start


async def run(n: int, clusters: int) -> None:
    state = Fleet.generate(clusters, 0, seed=1, clock=SimClock(speed=0))
    app = Timed(create_app(state))
    target = DwsTarget(
        name="sim",
        endpoint="http://simulator.bench",
        project_id=defaults.PROJECT_ID,
        ak=SecretStr(defaults.AK),
        sk=SecretStr(defaults.SK),
    )
    async with DwsClient(target, transport=httpx.ASGITransport(app=app)) as client:
        dispatcher = Dispatcher(
            registry,
            bundled_policy("demo", registry),
            None,
            {"sim": client}.__getitem__,
            default_target="sim",
        )
        request = InvocationRequest(UserRef("victor"), "C-bench", "/dws clusters")
        for _ in range(20):  # warm-up
            await dispatcher.handle(request)
        freeze_startup_objects()  # as the bot does once it has started (bot/wiring.py)
        ours: list[float] = []
        total: list[float] = []
        for _ in range(n):
            app.spent = 0.0
            start = time.process_time()
            reply = await dispatcher.handle(request)
            elapsed = time.process_time() - start
            total.append(elapsed)
            ours.append(elapsed - app.spent)
        assert len(reply.rows) == clusters, reply.title

    def ms(values: list[float], q: float) -> float:
        return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000

    print(f"/dws clusters x {n}, {clusters} clusters, in-process simulator")
    print(
        f"  our CPU per command : median {statistics.median(ours) * 1000:.2f} ms, "
        f"p95 {ms(ours, 0.95):.2f} ms, mean {statistics.fmean(ours) * 1000:.2f} ms "
        f"(target median < 5 ms)"
    )
    print(
        f"  including simulator : median {statistics.median(total) * 1000:.2f} ms, "
        f"p95 {ms(total, 0.95):.2f} ms"
    )


def parse_and_policy(n: int) -> None:
    """The dispatcher's own front half (parse + policy decision), without any handler."""
    from commands.parsing import parse

    policy = bundled_policy("demo", registry)
    user = UserRef("victor")
    start = time.process_time()
    for _ in range(n):
        parse("/dws clusters --status AVAILABLE", registry)
        policy.can_run(user, "clusters", "C-bench", None, None)  # type: ignore[arg-type]
    per = (time.process_time() - start) / n * 1e6
    print(f"  parse + policy alone: {per:.1f} µs per command")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--clusters", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.commands, args.clusters))
    parse_and_policy(10 * args.commands)


if __name__ == "__main__":
    main()
