"""Disaster recovery: switchover, failover, recovery, stop (pause), start and delete of a
primary/standby pair, with progress.

DR statuses follow the service's vocabulary (running, switchovering, abnormal, starting ...).
A switchover swaps the roles; a failover promotes the standby and leaves the task abnormal
until a recovery brings the pair back to running.
"""

from __future__ import annotations

import re

from dws.simulator.errors import bad_request, not_allowed, not_found
from dws.simulator.state.models import DrTask, Task
from dws.simulator.state.snapshots import SnapshotOps

DR_SECONDS = {
    "switchover": 300.0,
    "failover": 180.0,
    "recovery": 600.0,
    "start": 120.0,
    "pause": 60.0,
}
DR_STATUS = {
    "switchover": "switchovering",
    "failover": "switchovering",
    "recovery": "starting",
    "start": "starting",
    "pause": "stopping",
}
DR_EVENT = {
    "switchover": "switchoverDisasterRecovery",
    "failover": "failoverDisasterRecovery",
    "recovery": "recoveryDisasterRecovery",
    "start": "startDisasterRecovery",
    "pause": "pauseDisasterRecovery",
}
# The states each action may start from (5.12: only Running or Stop failed tasks can be
# stopped; Not started, Stopped or Startup failed ones started).
DR_FROM = {
    "switchover": ("running",),
    "failover": ("running", "abnormal"),
    "recovery": ("abnormal",),
    "start": ("not_started", "stopped", "start_failed"),
    "pause": ("running", "stop_failed"),
}
SYNC_PERIOD = re.compile(r"([1-9][0-9]{0,3})[mHd]")  # 1 to 3000 minutes, hours or days (5.12.1)
# 5.12.13: a DR task can be deleted when Creation failed, Not started, Startup failed, Stopped,
# Stop failed or Abnormal.
DR_DELETABLE = (
    "create_failed",
    "not_started",
    "start_failed",
    "stopped",
    "stop_failed",
    "abnormal",
)


class DrOps(SnapshotOps):
    """Operations on disaster-recovery tasks."""

    def _register_dr_handlers(self) -> None:
        self.on_due("dr", self._complete_dr)

    def get_dr(self, dr_id: str) -> DrTask:
        """A DR task by id, 404 if unknown."""
        self.tick()
        dr = self.dr_tasks.get(dr_id)
        if dr is None:
            raise not_found("disaster recovery task", dr_id)
        return dr

    def dr_action(self, dr_id: str, action: str) -> DrTask:
        """Start a switchover, failover or recovery."""
        dr = self.get_dr(dr_id)
        if dr.task is not None or dr.status not in DR_FROM[action]:
            raise not_allowed(f"DR task {dr.name} is {dr.status}; cannot run {action}.")
        if action in ("switchover", "failover"):
            for cid in (dr.primary_id, dr.standby_id):
                cluster = self.clusters.get(cid)
                if cluster is not None and cluster.task is not None:
                    raise not_allowed(
                        f"Cluster {cluster.name} is {cluster.task.kind}; cannot run {action}."
                    )

        def start(task: Task) -> None:
            if self.dr_tasks.get(dr.id) is not dr or dr.task is not task:
                return
            dr.status = DR_STATUS[action]
            self.touch()
            self.emit_event(f"{DR_EVENT[action]}Start", dr.id, dr.name)

        task = dr.task = self.start_task(
            action, DR_SECONDS[action], "dr", dr.id, f"{action}DisasterRecoveryJob"
        )
        self.touch()
        self.at(task.started, lambda: start(task))
        return dr

    def _complete_dr(self, dr_id: str, token: int) -> None:
        dr = self.dr_tasks.get(dr_id)
        if dr is None or dr.task is None or dr.task.token != token:
            return
        action = dr.task.kind
        self.finish_job(dr.task.job_id)
        dr.task = None
        now = self.now()
        if action == "switchover":
            dr.primary_id, dr.standby_id = dr.standby_id, dr.primary_id
            dr.status, dr.last_sync = "running", now
        elif action == "failover":
            dr.primary_id, dr.standby_id = dr.standby_id, dr.primary_id
            dr.status = "abnormal"
        elif action == "pause":
            dr.status = "stopped"
        else:  # recovery, start
            dr.status, dr.last_sync, dr.started = "running", now, now
        self.emit_event(f"{DR_EVENT[action]}Success", dr.id, dr.name)

    def update_dr(self, dr_id: str, sync_period: str | None) -> DrTask:
        """Change the synchronization period of a not started or stopped task (5.12.7)."""
        dr = self.get_dr(dr_id)
        if dr.task is not None or dr.status not in ("not_started", "stopped"):
            raise not_allowed(f"DR task {dr.name} is {dr.status}; stop it before changing it.")
        if sync_period is not None:
            match = SYNC_PERIOD.fullmatch(sync_period)
            if match is None or int(match.group(1)) > 3000:
                raise bad_request(
                    "dr_sync_period must be 1 to 3000 followed by m, H or d (e.g. 5m, 3H).",
                    "DWS.5038",
                )
            dr.sync_period = sync_period
            self.touch()
        return dr

    def delete_dr(self, dr_id: str) -> None:
        """Delete a DR task that is not running (the clusters stay, free of the pair)."""
        dr = self.get_dr(dr_id)
        if dr.task is not None or dr.status not in DR_DELETABLE:
            raise not_allowed(f"DR task {dr.name} is {dr.status}; stop it before deleting it.")
        del self.dr_tasks[dr.id]
        self.emit_event("deleteDisasterRecoverySuccess", dr.id, dr.name)

    def dr_cluster_status(self, dr: DrTask, role: str) -> str:
        """DR status of one side (waiting, backuping, restoring, abnormal, stopped)."""
        if dr.status == "abnormal":
            return "abnormal" if role == "standby" else "waiting"
        if dr.task is not None and dr.task.begun(self.now()):
            return "backuping" if role == "primary" else "restoring"
        return "waiting" if dr.status == "running" else "stopped"
