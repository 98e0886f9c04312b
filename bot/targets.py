"""Choosing the DWS target to talk to, and opening a client for it.

With no target configured, dwsbot runs against the built-in simulator in-process (through
``httpx.ASGITransport``) and says so; the simulator's state lives as long as the process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from bot.settings import Settings, SettingsError
from dws.client import CallRecord, DwsClient
from dws.config import DwsTarget

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from dws.simulator.state import SimState

SIMULATOR_ENDPOINT = "http://dws-simulator.local"


@dataclass
class TargetChoice:
    """A target to use, and whether it is the embedded simulator."""

    target: DwsTarget
    simulated: bool = False
    warnings: list[str] = field(default_factory=list)
    timeout: float = 30.0
    max_concurrency: int | None = None
    sim_state: SimState | None = None
    _app: ASGIApp | None = None

    @classmethod
    def from_settings(cls, settings: Settings, name: str | None = None) -> TargetChoice:
        """The named target (or the default); the simulator when none is configured."""
        targets = settings.dws_targets()
        extra: dict[str, Any] = {
            "timeout": settings.dws_timeout,
            "max_concurrency": settings.dws_max_concurrency,
        }
        if not targets:
            if name not in (None, "simulator"):
                raise SettingsError(f"--target {name}: no DWS targets are configured")
            return cls.simulator(**extra)
        if name is None:
            chosen = settings.default_dws_target()
            assert chosen is not None
        else:
            matches = [t for t in targets if t.name == name]
            if not matches:
                known = ", ".join(t.name for t in targets)
                raise SettingsError(f"--target {name}: no such target (known: {known})")
            chosen = matches[0]
        return cls(chosen, warnings=settings.warnings(), **extra)

    @classmethod
    def simulator(
        cls, *, seed: int = 0, speed: float = 1.0, state: SimState | None = None, **extra: Any
    ) -> TargetChoice:
        """The embedded simulator (the whole one: auth, core, control, generic responder)."""
        from dws.simulator import defaults
        from dws.simulator.clock import SimClock
        from dws.simulator.control import simulator_app
        from dws.simulator.state import SimState

        target = DwsTarget(
            name="simulator",
            region=defaults.REGION,
            endpoint=SIMULATOR_ENDPOINT,
            project_id=defaults.PROJECT_ID,
            ak=defaults.AK,
            sk=defaults.SK,
        )
        sim = state or SimState(seed=seed, clock=SimClock(speed=speed))
        return cls(target, simulated=True, sim_state=sim, _app=simulator_app(sim), **extra)

    def transport(self) -> httpx.AsyncBaseTransport | None:
        """The transport to use: in-process for the simulator, the default otherwise."""
        if self._app is not None:
            return httpx.ASGITransport(app=self._app)
        return None

    def client(self, observer: Callable[[CallRecord], None] | None = None) -> DwsClient:
        """A new client for this target (close it with ``aclose``); ``observer`` sees every
        call (metrics, the request id in the logs)."""
        return DwsClient(
            self.target,
            transport=self.transport(),
            timeout=self.timeout,
            max_concurrency=self.max_concurrency,
            observer=observer,
        )


@asynccontextmanager
async def open_client(choice: TargetChoice) -> AsyncIterator[DwsClient]:
    """A client for the chosen target, closed on exit."""
    client = choice.client()
    try:
        yield client
    finally:
        await client.aclose()
