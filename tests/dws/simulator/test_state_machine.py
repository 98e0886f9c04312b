"""Random sequences of operations and clock moves never break the state's invariants: only
`SimError` for refused operations, statuses from the reference's vocabulary, an accepted task
shows nothing until it starts, every task finishes once its time has passed, and the event log
stays in time order."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from dws.simulator.errors import SimError
from dws.simulator.views import action_progress, cluster_info, task_status
from tests.dws.simulator.support import check_reference_shape, frozen_state

STATUSES = {"AVAILABLE", "CREATING", "DELETING", "STOPING", "STOPPED", "STARTING"}
ACTIONS = [
    "restart_cluster",
    "stop_cluster",
    "start_cluster",
    "switchback",
    "cancel_readonly",
    "pause_redistribution",
    "resume_redistribution",
]


class Lifecycles(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state = frozen_state()

    def _cluster(self, index: int) -> Any:
        clusters = sorted(self.state.clusters.values(), key=lambda c: c.name)
        return clusters[index % len(clusters)] if clusters else None

    def _try(self, func: Any, *args: Any) -> None:
        try:
            func(*args)
        except SimError as err:
            assert 400 <= err.status < 500 and err.code.startswith("DWS.")

    @rule(index=st.integers(0, 20), action=st.sampled_from(ACTIONS))
    def cluster_action(self, index: int, action: str) -> None:
        cluster = self._cluster(index)
        if cluster is not None:
            self._try(getattr(self.state, action), cluster.id)

    @rule(index=st.integers(0, 20), count=st.integers(-1, 4), idle=st.booleans())
    def scale_out(self, index: int, count: int, idle: bool) -> None:
        cluster = self._cluster(index)
        if cluster is not None:
            self._try(self.state.resize_cluster, cluster.id, count, idle)

    @rule(index=st.integers(0, 20), n=st.integers(0, 999))
    def snapshot(self, index: int, n: int) -> None:
        cluster = self._cluster(index)
        if cluster is not None:
            self._try(self.state.create_snapshot, cluster.id, f"snap-{n}")

    @rule(index=st.integers(0, 20))
    def delete(self, index: int) -> None:
        cluster = self._cluster(index)
        if cluster is not None:
            self._try(self.state.delete_cluster, cluster.id, 0)

    @rule(action=st.sampled_from(["switchover", "failover", "recovery"]))
    def dr(self, action: str) -> None:
        for dr_id in list(self.state.dr_tasks):
            self._try(self.state.dr_action, dr_id, action)

    @rule(seconds=st.sampled_from([1, 4, 5, 30, 119, 120, 300, 601, 3600]))
    def wait(self, seconds: int) -> None:
        self.state.advance(seconds)

    @invariant()
    def consistent(self) -> None:
        state = self.state
        now = state.now()
        assert state.tick() == 0  # advance() already applied everything due
        for cluster in state.clusters.values():
            assert cluster.status in STATUSES
            task = cluster.task
            if task is not None and task.begun(now):
                assert task.paused_at is not None or task.started + task.duration > now
                assert task_status(state, cluster) or cluster.status != "AVAILABLE"
            elif task is not None:  # accepted, not started: nothing of it shows yet
                assert action_progress(state, cluster) == {}
                assert task_status(state, cluster) == cluster.last_task_status
            else:
                assert action_progress(state, cluster) == {}
            check_reference_shape(
                "list_clusters", {"clusters": [cluster_info(state, cluster)], "count": 1}
            )
        times = [e.occur_ms for e in state.events.newest(len(state.events))]
        assert times == sorted(times, reverse=True)


TestLifecycles = Lifecycles.TestCase
TestLifecycles.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
