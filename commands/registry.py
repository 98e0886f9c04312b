"""Command declarations: each command is declared once, next to its handler.

A READ command decorates an async function::

    class ClustersArgs(BaseModel):
        status: str | None = None

    @command("clusters", aliases=("ls",), summary="List the clusters",
             usage="/dws clusters [--status AVAILABLE]", examples=("/dws clusters",),
             args=ClustersArgs)
    async def clusters(ctx: CommandContext, args: ClustersArgs) -> Reply: ...

A CHANGE or DESTRUCTIVE command decorates a `ChangeCommand` subclass (instantiated once, with no
arguments) whose ``plan`` checks preconditions and records the target's relevant state, and whose
``execute`` makes the DWS call. ``plan`` runs twice for an approved request: when it is asked
for, and again right before execution; ``state_changed(old, new)`` compares the two states and
a non-None answer (a human sentence) voids the approval.

Expected failures are `CommandFailure("one human sentence")`; anything else raised becomes an
error reply with an error id (logged with its traceback, never shown).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol, TypeVar

from pydantic import BaseModel, SecretStr

from commands.replies import Reply
from dws.client import DwsAnswer
from dws.clock import utcnow

ANYONE = "anyone"
"""A ``min_role`` meaning every user, even one without a role (``help``, ``whoami``)."""


class Risk(StrEnum):
    """How much a command can change: READ never changes anything."""

    READ = "read"
    CHANGE = "change"
    DESTRUCTIVE = "destructive"


class CommandFailure(Exception):
    """An expected failure: the message is one human sentence shown to the user as is."""

    def __init__(self, message: str, *, follow_ups: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.follow_ups = follow_ups


class OutcomeUnknown(CommandFailure):
    """A changing request may have reached DWS but got no answer (a timeout, a connection lost
    after sending): whether it took effect is unknown, so it is audited ``unknown`` and the
    sweeper settles it from DWS's state, never by sending it again."""


M = TypeVar("M", bound=BaseModel)


class DwsCaller(Protocol):
    """What commands need from the DWS client (`dws.client.DwsClient` satisfies it)."""

    async def call(
        self,
        op_name: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any: ...

    async def call_model(
        self,
        operation: str,
        model: type[M],
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> M:
        """Call an operation and parse its answer into ``model`` (a malformed answer raises
        ``dws.errors.DwsResponseError`` naming the operation)."""
        ...

    async def send(
        self,
        operation: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> DwsAnswer:
        """Call an operation; the answer with its HTTP status and the service's request id."""
        ...


@dataclass(frozen=True, slots=True)
class UserRef:
    """Who is asking. The adapter fills id/name/team/groups; the dispatcher fills ``role``."""

    id: str
    name: str = ""
    team: str = ""
    groups: tuple[str, ...] = ()
    role: str | None = None

    @property
    def display(self) -> str:
        """The display name, or the id when there is none."""
        return self.name or self.id


@dataclass(slots=True)
class Bindings:
    """What a plan resolved: the references it was given and the ids they designated.

    At request time the lookups (`find_cluster`, `find_dr`, `find_snapshot`) record every
    reference they resolve (``"cluster:report"`` → the id of ``reporting``) and the approval
    stores them. The re-plan right before execution runs in *replay* mode: a reference resolves
    to the recorded id and to nothing else, so a cluster created, renamed or deleted meanwhile
    can never make the execution, the policy re-check or the summary name another resource than
    the one approved. A reference with no recorded id is a `CommandFailure` (the approval is
    voided), and so is a recorded id that is gone.
    """

    resolved: dict[str, str] = field(default_factory=dict)
    replay: bool = False

    @classmethod
    def replaying(cls, stored: Mapping[str, Any] | None) -> Bindings:
        """Bindings that resolve only what ``stored`` recorded (None: nothing was recorded)."""
        return cls(resolved={str(k): str(v) for k, v in (stored or {}).items()}, replay=True)

    @staticmethod
    def key(kind: str, ref: str) -> str:
        """How a reference is keyed: its kind and the text the user gave."""
        return f"{kind}:{ref.strip()}"

    def bound_id(self, kind: str, ref: str) -> str | None:
        """In replay mode the id recorded for ``ref`` (`CommandFailure` if none); else None."""
        if not self.replay:
            return None
        found = self.resolved.get(self.key(kind, ref))
        if found is None:
            raise CommandFailure(f"the approved request did not record which {kind} {ref!r} is")
        return found

    def record(self, kind: str, ref: str, resource_id: str) -> None:
        """Remember that ``ref`` designated ``resource_id`` (request time only)."""
        if not self.replay:
            self.resolved[self.key(kind, ref)] = resource_id


SecretPrompt = Callable[[str], Awaitable[str | None]]
"""Asks the user for a secret without echo (console getpass, Slack modal). ``None`` = cancelled."""


@dataclass(frozen=True, slots=True)
class CommandContext:
    """Everything a handler may use. Built by the dispatcher for each invocation.

    - ``dws``: the client for ``target_name`` (already open; do not close it).
    - ``clock()``: the current time, timezone-aware (injected so tests control it).
    - ``secrets``: values collected through ``prompt_secret`` for the spec's ``secrets``
      (e.g. ``{"password": SecretStr(...)}``); never put them in a Plan or a Reply.
    - ``services``: the built-in commands' extras (``registry``, ``policy``, ``db``); handlers
      of DWS commands do not need it.
    - ``bindings``: the references resolved to ids (see `Bindings`); lookups go through it.
    """

    user: UserRef
    channel: str
    dws: DwsCaller
    target_name: str = "default"
    clock: Callable[[], datetime] = utcnow
    prompt_secret: SecretPrompt | None = None
    secrets: Mapping[str, SecretStr] = field(default_factory=dict)
    services: Mapping[str, Any] = field(default_factory=dict)
    bindings: Bindings = field(default_factory=Bindings)


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """What a changing command will do, shown in the approval and bound to it.

    - ``summary``: one line, e.g. ``"Restart cluster prod-dw"``.
    - ``state``: the target's relevant state now (JSON-able), e.g.
      ``{"status": "AVAILABLE", "task_status": None, "dr": None, "nodes": 3}``. Recorded with the
      approval and compared with a fresh plan's state before execution.
    - ``params``: everything ``execute`` needs (JSON-able, no secrets); stored with the approval.
    - ``action``: the command name; the dispatcher fills it when left empty.
    """

    summary: str
    cluster_id: str | None = None
    cluster_name: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    action: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Execution:
    """The result of submitting a change to DWS.

    ``track=True`` starts a tracker: it polls ``job_id`` when given, else the plan's cluster
    until its status is one of ``settled_statuses`` with no task in progress.
    """

    reply: Reply
    request_id: str | None = None
    job_id: str | None = None
    track: bool = False
    settled_statuses: tuple[str, ...] = ("AVAILABLE",)


class ChangeCommand:
    """Base class of CHANGE and DESTRUCTIVE commands."""

    event: ClassVar[str] = ""
    """The stem of the DWS events the operation emits on its resource (``rebootCluster`` for
    ``rebootClusterStart`` / ``...Success`` / ``...Failure``); the sweeper settles a crashed
    execution only by events of its own stem ("" = none: it cannot be judged by events)."""

    async def plan(self, ctx: CommandContext, args: Any) -> Plan:
        """Check preconditions (raise `CommandFailure`) and describe what will be done."""
        raise NotImplementedError

    async def execute(self, ctx: CommandContext, plan: Plan) -> Execution:
        """Submit the change described by ``plan`` (its params) to DWS."""
        raise NotImplementedError

    def state_changed(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
        """A sentence saying what changed between the recorded and the fresh state, or None."""
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                return f"{key} changed from {old.get(key)!r} to {new.get(key)!r}"
        return None


RunFn = Callable[[CommandContext, Any], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One declared command. ``name`` may have several words (``"dr failover"``)."""

    name: str
    summary: str
    usage: str
    examples: tuple[str, ...]
    args: type[BaseModel]
    aliases: tuple[str, ...] = ()
    min_role: str = "viewer"
    risk: Risk = Risk.READ
    positionals: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    run: RunFn | None = None
    change: ChangeCommand | None = None

    @property
    def changes(self) -> bool:
        """True for CHANGE and DESTRUCTIVE commands."""
        return self.risk is not Risk.READ

    @property
    def words(self) -> tuple[str, ...]:
        """The name split into words."""
        return tuple(self.name.split())


T = TypeVar("T")


class Registry:
    """All declared commands, by name and alias."""

    def __init__(self) -> None:
        self._specs: dict[str, CommandSpec] = {}
        self._names: dict[str, str] = {}

    def add(self, spec: CommandSpec) -> CommandSpec:
        """Register ``spec``; a name or alias used twice is a programming error."""
        for key in (spec.name, *spec.aliases):
            key = " ".join(key.split())
            if key in self._names:
                raise ValueError(f"command name {key!r} is declared twice")
            self._names[key] = spec.name
        self._specs[spec.name] = spec
        return spec

    def command(
        self,
        name: str,
        *,
        summary: str,
        usage: str,
        examples: tuple[str, ...] | list[str],
        args: type[BaseModel],
        aliases: tuple[str, ...] | list[str] = (),
        min_role: str = "viewer",
        risk: Risk = Risk.READ,
        positionals: tuple[str, ...] | list[str] = (),
        secrets: tuple[str, ...] | list[str] = (),
    ) -> Callable[[T], T]:
        """Declare a command: decorate an async ``run(ctx, args)`` (READ) or a `ChangeCommand`."""

        def decorate(target: T) -> T:
            run: RunFn | None = None
            change: ChangeCommand | None = None
            if isinstance(target, type):
                if not issubclass(target, ChangeCommand) or risk is Risk.READ:
                    raise TypeError(f"{name}: a class must subclass ChangeCommand with risk set")
                change = target()
            else:
                if risk is not Risk.READ:
                    raise TypeError(f"{name}: a changing command must be a ChangeCommand class")
                run = target  # type: ignore[assignment]
            for pos in positionals:
                if pos not in args.model_fields:
                    raise TypeError(f"{name}: positional {pos!r} is not a field of {args}")
            self.add(
                CommandSpec(
                    name=" ".join(name.split()),
                    summary=summary,
                    usage=usage,
                    examples=tuple(examples),
                    args=args,
                    aliases=tuple(aliases),
                    min_role=min_role,
                    risk=risk,
                    positionals=tuple(positionals),
                    secrets=tuple(secrets),
                    run=run,
                    change=change,
                )
            )
            return target

        return decorate

    def get(self, name: str) -> CommandSpec | None:
        """The spec for a name or alias (words separated by any whitespace), or None."""
        key = self._names.get(" ".join(name.split()))
        return self._specs[key] if key else None

    def match(self, words: list[str]) -> tuple[CommandSpec, int] | None:
        """The longest command name (or alias) that prefixes ``words``, and its word count."""
        for n in range(min(len(words), 4), 0, -1):
            spec = self.get(" ".join(words[:n]).lower())
            if spec is not None:
                return spec, n
        return None

    def all_names(self) -> list[str]:
        """Every name and alias (for did-you-mean)."""
        return sorted(self._names)

    def __iter__(self) -> Iterator[CommandSpec]:
        return iter(sorted(self._specs.values(), key=lambda s: s.name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __len__(self) -> int:
        return len(self._specs)

    def copy(self) -> Registry:
        """A registry with the same commands (tests add their own commands to a copy)."""
        new = Registry()
        for spec in self._specs.values():
            new.add(dataclasses.replace(spec))
        return new


registry = Registry()
"""The default registry; `commands.handlers` imports every handler module, which fills it."""

command = registry.command
"""Declare a command in the default registry (see `Registry.command`)."""
