"""Build the running bot from settings: database → policy → dispatcher → DWS clients.

With no DWS target configured, the simulator runs in-process (`httpx.ASGITransport`, no
socket) on a fast clock, and `Runtime.simulated` says so. With no policy file, the simulator gets
the demo policy (alice and bob operators, carol admin, victor viewer); outside the simulator a
policy file is required. The database is keyed with the audit key `bot.audit_key` chooses
(``DWSBOT_AUDIT_KEY``, the simulator's generated key, or none: then `Runtime.audit` carries the
warning every adapter shows at start).

    async with open_runtime(settings, notify=...) as rt:
        reply = await rt.dispatcher.handle(...)
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import commands.handlers  # noqa: F401  (fills the registry)
from bot.audit_key import AuditKeyChoice, choose_audit_key
from bot.settings import Settings
from bot.targets import TargetChoice
from commands.dispatch import Dispatcher
from commands.policy import Policy, bundled_policy, bundled_policy_text, load_policy
from commands.registry import Registry, registry
from commands.replies import Reply
from commands.services import Notify
from commands.store import Database
from commands.store.errors import DatabaseUnavailableError
from dws.client import CallRecord, DwsClient, RetryPolicy
from dws.clock import utcnow
from dws.config import DwsTarget

DEFAULT_SPEED = 60.0


class WiringError(Exception):
    """The bot cannot start with this configuration; the message is one line."""


@dataclass
class Runtime:
    """Everything the adapters use, built from settings."""

    settings: Settings
    db: Database
    policy: Policy
    policy_source: str
    registry: Registry
    dispatcher: Dispatcher
    targets: dict[str, DwsTarget]
    default_target: str
    simulated: bool
    simulator: Any = None
    """The in-process simulator state (`SimState`) when `simulated`, else None."""
    clients: dict[str, DwsClient] = field(default_factory=dict)
    choices: dict[str, TargetChoice] = field(default_factory=dict)
    db_problem: str | None = None
    """Why the database could not be used at start (then changing commands are refused)."""
    audit: AuditKeyChoice | None = None
    """The audit key in use and, with none outside the simulator, the warning to show."""
    observer: Callable[[CallRecord], None] | None = None
    """Sees every DWS call (metrics and logs of `dwsbot serve`)."""

    def client(self, name: str) -> DwsClient:
        """The open client of a target (KeyError naming the known ones if unknown)."""
        if name not in self.targets:
            raise KeyError(name)
        if name not in self.clients:
            self.clients[name] = self.choices[name].client(self.observer)
        return self.clients[name]

    async def aclose(self) -> None:
        """Stop the tracker loops, close the DWS clients and the database."""
        with contextlib.suppress(Exception):
            await self.dispatcher.aclose()
        for client in self.clients.values():
            with contextlib.suppress(Exception):
                await client.aclose()
        self.clients.clear()
        await self.db.dispose()


def choose_policy(settings: Settings, simulated: bool, reg: Registry) -> tuple[Policy, str]:
    """The configured policy file, or the demo policy on the simulator."""
    if settings.policy_file is not None:
        return load_policy(settings.policy_file, reg), str(settings.policy_file)
    if not simulated:
        raise WiringError(
            "DWSBOT_POLICY_FILE is required with a real DWS target (the demo policy is only "
            "for the simulator)"
        )
    return bundled_policy("demo", reg), "demo policy (built in)"


def demo_policy_text() -> str:
    """The demo policy's YAML, printed by the console at start."""
    return bundled_policy_text("demo")


@contextlib.asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    notify: Notify | None = None,
    speed: float = DEFAULT_SPEED,
    upgrade: bool = True,
    clock: Callable[[], datetime] | None = None,
    track_interval: float = 5.0,
    require_database: bool = True,
    observer: Callable[[CallRecord], None] | None = None,
) -> AsyncIterator[Runtime]:
    """Build the runtime (the database upgraded to head), close everything on exit.

    With ``require_database=False`` an unreachable database does not stop the start: the
    runtime serves read commands, refuses changing ones, and says why in ``db_problem``.
    """
    if settings.default_dws_target() is None:
        sim = TargetChoice.simulator(speed=speed)
        choices = {sim.target.name: sim}
        default_name = sim.target.name
    else:
        choices = {
            t.name: TargetChoice.from_settings(settings, t.name) for t in settings.dws_targets()
        }
        default_target = settings.default_dws_target()
        assert default_target is not None
        default_name = default_target.name
    simulated = choices[default_name].simulated
    sim_state = choices[default_name].sim_state
    targets = {name: choice.target for name, choice in choices.items()}
    policy, source = choose_policy(settings, simulated, registry)
    audit = choose_audit_key(settings, simulated=simulated)
    url = settings.database_url.get_secret_value() if settings.database_url else None
    db = Database(url, audit_key=audit.key)
    runtime: Runtime | None = None
    problem: str | None = None
    try:
        if upgrade:
            try:
                await db.upgrade()
            except DatabaseUnavailableError as exc:
                if require_database:
                    raise
                problem = str(exc)

        def factory(name: str) -> DwsClient:
            assert runtime is not None
            return runtime.client(name)

        dispatcher = Dispatcher(
            registry,
            policy,
            None if problem else db,
            factory,
            clock=clock or utcnow,  # approvals, TTLs, audit: real time, even on a fast simulator
            notify=notify or _no_notify,
            default_target=default_name,
            track_interval=track_interval,
            dws_timeout=settings.dws_timeout,
            execution_hold=execution_hold(settings),
        )
        runtime = Runtime(
            settings=settings,
            db=db,
            policy=policy,
            policy_source=source,
            registry=registry,
            dispatcher=dispatcher,
            targets=targets,
            default_target=default_name,
            simulated=simulated,
            simulator=sim_state,
            choices=choices,
            db_problem=problem,
            audit=audit,
            observer=observer,
        )
        freeze_startup_objects()
        yield runtime
    finally:
        if runtime is not None:
            await runtime.aclose()
        else:
            await db.dispose()


def execution_hold(settings: Settings) -> timedelta:
    """How long a process holds an executing approval: beyond any DWS call it can be making
    (every attempt of the client timing out, with backoff), at least ten minutes."""
    retry = RetryPolicy()  # dws_timeout is at most MAX_DWS_TIMEOUT (settings)
    seconds = retry.max_attempts * (settings.dws_timeout + retry.backoff_max)
    return max(timedelta(minutes=10), timedelta(seconds=2 * seconds))


def freeze_startup_objects() -> None:
    """Move everything alive after start-up out of the garbage collector's view.

    Modules, the registry, the policy and the simulator's fleet live as long as the process;
    without this, every full collection walks them again (tens of milliseconds for a
    `/dws clusters` that happens to trigger one; bench/commands.py measures it).
    """
    gc.collect()
    gc.freeze()


async def _no_notify(channel: str, reply: Reply) -> None:
    return None
