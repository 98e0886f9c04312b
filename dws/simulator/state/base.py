"""The core of the simulated state: stores, ids, the deadline queue, events and jobs.

Operations live in mixins (clusters, snapshots, DR, alarms and subscriptions) that build on
`StateBase`. Every operation first calls `tick()`, which applies the transitions whose deadline
has passed on the simulated clock; `tick()` is idempotent, so reading twice changes nothing.
"""

from __future__ import annotations

import heapq
import math
import random
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dws.simulator import defaults
from dws.simulator.clock import SimClock
from dws.simulator.errors import NOT_FOUND, SimError, not_found
from dws.simulator.state.events import SPECS, Event, EventLog
from dws.simulator.state.models import (
    Alarm,
    Cluster,
    DrTask,
    Job,
    NodeType,
    Snapshot,
    Subscription,
    Task,
)

REQUEST_LOG_SIZE = 10_000
START_DELAY = 5.0
"""Simulated seconds between accepting an operation and its start (the real service's gap)."""
MAX_START_DELAY = 3600.0


def check_start_delay(seconds: float) -> float:
    """``seconds`` if it is a valid start delay (finite, 0 to an hour), else ValueError."""
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_START_DELAY:
        raise ValueError(f"the start delay must be between 0 and {MAX_START_DELAY:g} seconds")
    return float(seconds)


@dataclass(slots=True)
class RequestRecord:
    """One request the simulator answered."""

    method: str
    path: str
    status: int
    time: float


def iso_z(t: float) -> str:
    """`YYYY-MM-DDThh:mm:ssZ` (cluster and snapshot times)."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_plain(t: float) -> str:
    """`YYYY-MM-DDThh:mm:ss` (job, DR and policy times)."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def spaced(t: float) -> str:
    """`YYYY-MM-DD hh:mm:ss` (alarm and DR progress times)."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S")


class StateBase:
    """Stores and shared machinery of the simulated service."""

    def __init__(
        self, clock: SimClock, seed: int, project_id: str, start_delay: float = START_DELAY
    ) -> None:
        self.clock = clock
        self.project_id = project_id
        self.start_delay = check_start_delay(start_delay)
        self.region = defaults.REGION
        self.request_log: deque[RequestRecord] = deque(maxlen=REQUEST_LOG_SIZE)
        self._init_stores(seed)

    def _init_stores(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.clusters: dict[str, Cluster] = {}
        self.snapshots: dict[str, Snapshot] = {}
        self.snapshots_by_cluster: dict[str, list[str]] = {}
        self.jobs: dict[str, Job] = {}
        self.alarms: dict[str, Alarm] = {}
        self.event_subs: dict[str, Subscription] = {}
        self.alarm_subs: dict[str, Subscription] = {}
        self.dr_tasks: dict[str, DrTask] = {}
        self.node_types: list[NodeType] = []
        self.availability_zones: list[str] = []
        self.events = EventLog()
        self._deadlines: list[tuple[float, int, str, str, int]] = []
        self._seq = 0
        self._handlers: dict[str, Callable[[str, int], None]] = {"start": self._run_start}
        self._starts: dict[int, Callable[[], None]] = {}
        self._due_now: float | None = None
        self.revision = 0
        self._view_cache: dict[Any, bytes] = {}
        self._view_cache_rev = -1

    # change tracking -------------------------------------------------------------------------
    def touch(self) -> None:
        """Note that something changed (rendered answers cached for reads are dropped)."""
        self.revision += 1

    def cached_view(self, key: Any, build: Callable[[], bytes]) -> bytes:
        """`build()` once per revision of the state (for answers that do not depend on time)."""
        if self._view_cache_rev != self.revision:
            self._view_cache.clear()
            self._view_cache_rev = self.revision
        data = self._view_cache.get(key)
        if data is None:
            data = self._view_cache[key] = build()
        return data

    # ids and time ----------------------------------------------------------------------------
    def now(self) -> float:
        """Simulated time, epoch seconds (while a transition is applied: its due time)."""
        return self._due_now if self._due_now is not None else self.clock.now()

    def new_id(self) -> str:
        """A fresh UUID drawn from the seeded generator (deterministic per seed)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_hex_id(self) -> str:
        """A 32-hex-digit id (job ids look like this)."""
        return f"{self.rng.getrandbits(128):032x}"

    def next_token(self) -> int:
        """A token that identifies one scheduled completion (stale ones are ignored)."""
        self._seq += 1
        return self._seq

    # deadlines -------------------------------------------------------------------------------
    def on_due(self, kind: str, handler: Callable[[str, int], None]) -> None:
        """Register the completion handler of a deadline kind."""
        self._handlers[kind] = handler

    def schedule(self, due: float, kind: str, target: str, token: int) -> None:
        """Run handler `kind` with (target, token) once the clock reaches `due`."""
        self._seq += 1
        heapq.heappush(self._deadlines, (due, self._seq, kind, target, token))

    def tick(self) -> int:
        """Apply every transition that is due; returns how many ran."""
        now = self.clock.now()
        ran = 0
        while self._deadlines and self._deadlines[0][0] <= now:
            due, _seq, kind, target, token = heapq.heappop(self._deadlines)
            self._due_now = due  # a transition happens at its due time, not when it is seen
            try:
                self._handlers[kind](target, token)
            finally:
                self._due_now = None
            ran += 1
        if ran:
            self.touch()
        return ran

    def advance(self, seconds: float) -> float:
        """Move the clock forward and apply what became due."""
        now = self.clock.advance(seconds)
        self.tick()
        return now

    def set_time(self, when: datetime) -> float:
        """Set the clock and apply what became due."""
        now = self.clock.set(when)
        self.tick()
        return now

    def start_task(
        self,
        kind: str,
        duration: float,
        due_kind: str,
        target: str,
        job_name: str | None = None,
        cluster_id: str | None = None,
        *,
        delay: float | None = None,
    ) -> Task:
        """A new accepted task (and its job, when `job_name` is given, running from now).

        It starts after `delay` (default: the state's `start_delay`; the caller makes it
        visible then with `at(task.started, ...)`) and completes `duration` seconds later."""
        now = self.now()
        started = now + (self.start_delay if delay is None else delay)
        job = self.new_job(job_name, started - now + duration, cluster_id) if job_name else None
        task = Task(kind, started, duration, job.id if job else None, self.next_token())
        self.schedule(started + duration, due_kind, target, task.token)
        return task

    def at(self, due: float, action: Callable[[], None]) -> None:
        """Run `action` once the clock reaches `due` (at once when it already has)."""
        if due <= self.now():
            action()
            return
        token = self.next_token()
        self._starts[token] = action
        self.schedule(due, "start", "", token)

    def _run_start(self, _target: str, token: int) -> None:
        action = self._starts.pop(token, None)
        if action is not None:
            action()

    # jobs ------------------------------------------------------------------------------------
    def new_job(self, name: str, duration: float, cluster_id: str | None = None) -> Job:
        """A running job."""
        job = Job(self.new_hex_id(), name, self.now(), duration, cluster_id)
        self.jobs[job.id] = job
        return job

    def finish_job(self, job_id: str | None, *, failed: tuple[str, str] | None = None) -> None:
        """Mark a job done (SUCCESS, or FAIL with code and detail)."""
        job = self.jobs.get(job_id) if job_id else None
        if job is None:
            return
        job.end = self.now()
        job.status = "FAIL" if failed else "SUCCESS"
        if failed:
            job.failed_code, job.failed_detail = failed

    def get_job(self, job_id: str) -> Job:
        """A job by id, 404 if unknown."""
        job = self.jobs.get(job_id)
        if job is None:
            raise not_found("job", job_id)
        return job

    # events ----------------------------------------------------------------------------------
    def emit_event(
        self, name: str, source_id: str, source_name: str | None = None, at: float | None = None
    ) -> Event:
        """Record an event of definition `name` about a source (cluster, snapshot, DR)."""
        spec = SPECS.get(name)
        if spec is None:
            raise SimError(400, "DWS.5037", f"Unknown event definition {name}.")
        if source_name is None:
            source_name = self._source_name(source_id)
        when = self.now() if at is None else at
        event = Event(self.new_id(), spec, source_id, source_name, int(when * 1000))
        self.events.add(event)
        self.touch()
        return event

    def _source_name(self, source_id: str) -> str:
        for store in (self.clusters, self.snapshots, self.dr_tasks):
            item: Any = store.get(source_id)
            if item is not None:
                return str(item.name)
        return source_id

    # lookups ---------------------------------------------------------------------------------
    def get_cluster(self, cluster_id: str) -> Cluster:
        """A cluster by id, 404 DWS.0015 if unknown."""
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            raise not_found("cluster", cluster_id, NOT_FOUND)
        return cluster

    def record(self, method: str, path: str, status: int) -> None:
        """Add a request to the request log."""
        self.request_log.append(RequestRecord(method, path, status, self.now()))
