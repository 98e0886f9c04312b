"""Cluster lifecycles: restart, start/stop, create/delete, scale-out with redistribution,
switchback, cancel-readonly, password reset and parameter changes.

Rules the service enforces are enforced here: an operation needs an AVAILABLE cluster with no
task running (400 DWS.5045 otherwise), and clusters of a running DR pair cannot be restarted,
stopped, scaled or deleted. When the cause of an alarm goes away (read-only cancelled, cluster
balanced again, cluster deleted) its active alarms are cleared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dws.simulator.errors import (
    BAD_NAME,
    BAD_PASSWORD,
    NAME_EXISTS,
    PASSWORD_HAS_USER,
    SimError,
    bad_request,
    not_allowed,
)
from dws.simulator.state.base import StateBase
from dws.simulator.state.models import Cluster, Task

DURATIONS = {
    "REBOOTING": 120.0,
    "STARTING": 180.0,
    "STOPPING": 120.0,
    "CREATING": 600.0,
    "DELETING": 60.0,
    "GROWING": 600.0,
    "REDISTRIBUTING": 900.0,
    "ACTIVE_STANDY_SWITCHOVER": 60.0,
    "SETTING_CONFIGURATION": 30.0,
}
READONLY_ALARM = "DWS_2000000008"  # "Cluster is read-only"
UNBALANCED_ALARM = "DWS_2000000009"  # "Cluster is unbalanced"
RUNNING_DR = {"creating", "starting", "running", "switchovering", "stopping"}
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{3,63}$")
PASSWORD_CLASSES = (r"[A-Z]", r"[a-z]", r"[0-9]", r"[^A-Za-z0-9]")


def check_password(password: str, user: str) -> None:
    """The reference's administrator password rules (12-32 chars, 3 classes, not the user)."""
    classes = sum(bool(re.search(p, password)) for p in PASSWORD_CLASSES)
    if not 12 <= len(password) <= 32 or classes < 3:
        raise bad_request("Invalid password of the cluster administrator.", BAD_PASSWORD)
    if user and (user in password or user[::-1] in password):
        raise bad_request("The password cannot contain the username.", PASSWORD_HAS_USER)


class ClusterOps(StateBase):
    """Operations on clusters."""

    def _register_cluster_handlers(self) -> None:
        self.on_due("cluster", self._complete_cluster_task)

    # guards ----------------------------------------------------------------------------------
    def dr_of(self, cluster_id: str) -> Any:
        """The DR task a cluster belongs to, or None."""
        for dr in self.dr_tasks.values():
            if cluster_id in (dr.primary_id, dr.standby_id):
                return dr
        return None

    def _require_idle(self, cluster: Cluster, action: str, *, dr_blocks: bool = False) -> None:
        if cluster.status != "AVAILABLE":
            raise not_allowed(f"Cluster {cluster.name} is {cluster.status}; cannot {action}.")
        if cluster.task is not None:
            raise not_allowed(
                f"Cluster {cluster.name} is {cluster.task.kind}; cannot {action} now."
            )
        dr = self.dr_of(cluster.id) if dr_blocks else None
        if dr is not None and dr.status in RUNNING_DR:
            raise not_allowed(
                f"Cluster {cluster.name} is in the running disaster-recovery task {dr.name}; "
                f"cannot {action}."
            )

    def _begin(
        self,
        cluster: Cluster,
        kind: str,
        job_name: str,
        event: str | None,
        duration: float | None = None,
        *,
        status: str | None = None,
        delay: float | None = None,
        then: Callable[[Task], None] | None = None,
    ) -> str | None:
        """Accept a task on `cluster`; it holds the cluster at once and starts after `delay`
        (default: the state's start delay), when `status` is set, `event` emitted and
        `then(task)` run. Its job (returned) exists from now."""

        def start(task: Task) -> None:
            if self.clusters.get(cluster.id) is not cluster or cluster.task is not task:
                return
            cluster.last_task_status = None
            cluster.updated = self.now()
            if status is not None:
                cluster.status = status
            if then is not None:
                then(task)
            self.touch()
            if event:
                self.emit_event(event, cluster.id, cluster.name)

        task = self.start_task(
            kind,
            DURATIONS[kind] if duration is None else duration,
            "cluster",
            cluster.id,
            job_name,
            cluster.id,
            delay=delay,
        )
        cluster.task = task
        self.touch()
        self.at(task.started, lambda: start(task))
        return task.job_id

    # operations ------------------------------------------------------------------------------
    def restart_cluster(self, cluster_id: str) -> str | None:
        """Start a restart; task_status REBOOTING until it completes."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        self._require_idle(cluster, "restart", dr_blocks=True)
        return self._begin(cluster, "REBOOTING", "restartClusterJob", "rebootClusterStart")

    def stop_cluster(self, cluster_id: str) -> str | None:
        """Stop an available cluster (status STOPING, then STOPPED)."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        self._require_idle(cluster, "stop", dr_blocks=True)
        return self._begin(
            cluster, "STOPPING", "stopClusterJob", "stopClusterStart", status="STOPING"
        )

    def start_cluster(self, cluster_id: str) -> str | None:
        """Start a stopped cluster (status STARTING, then AVAILABLE)."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        if cluster.status != "STOPPED" or cluster.task is not None:
            raise not_allowed(
                f"Cluster {cluster.name} is {cluster.status}; only a stopped "
                "cluster can be started."
            )
        return self._begin(
            cluster, "STARTING", "startClusterJob", "startClusterStart", status="STARTING"
        )

    def delete_cluster(self, cluster_id: str, keep_manual: int = 0) -> None:
        """Delete a cluster (status DELETING, then gone), keeping the newest manual snapshots."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        if cluster.status in ("DELETING", "CREATING") or cluster.task is not None:
            raise not_allowed(f"Cluster {cluster.name} is busy; cannot delete it now.")
        dr = self.dr_of(cluster.id)
        if dr is not None:
            raise not_allowed(
                f"Cluster {cluster.name} belongs to DR task {dr.name}; delete the DR task first."
            )
        self._begin(
            cluster, "DELETING", "deleteClusterJob", "deleteClusterStart", status="DELETING"
        )
        assert cluster.task is not None
        cluster.task.data["keep"] = keep_manual

    def resize_cluster(self, cluster_id: str, count: int, create_node_only: bool) -> None:
        """Scale out by `count` nodes; redistribution follows unless only idle nodes are added."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        if count < 1 or cluster.number_of_node + count > 256:
            raise bad_request("Invalid number of nodes to add.", "DWS.5047")
        self._require_idle(cluster, "scale out", dr_blocks=True)
        if cluster.last_task_status in ("WAITING_REDISTRIBUTION", "REDISTRIBUTE_FAILURE"):
            raise not_allowed(
                f"Cluster {cluster.name} is waiting for redistribution; "
                "redistribute before scaling out again."
            )

        def grow(task: Task) -> None:
            cluster.resize = {
                "origin": cluster.number_of_node,
                "target": cluster.number_of_node + count,
                "start": task.started,
            }

        self._begin(cluster, "GROWING", "growClusterJob", "expandClusterStart", then=grow)
        assert cluster.task is not None
        cluster.task.data.update(count=count, create_node_only=create_node_only)

    def execute_redistribution(self, cluster_id: str, mode: str, parallel_jobs: int) -> None:
        """Start a redistribution waiting after a scale-out."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        if mode not in ("online", "offline"):
            raise bad_request("redis_mode must be online or offline.", "DWS.5038")
        if not 1 <= parallel_jobs <= 32:
            raise bad_request("parallel_jobs must be between 1 and 32.", "DWS.5038")
        if cluster.task is not None or cluster.last_task_status not in (
            "WAITING_REDISTRIBUTION",
            "REDISTRIBUTE_FAILURE",
        ):
            raise not_allowed(f"Cluster {cluster.name} has no redistribution waiting.")
        self._start_redistribution(cluster, mode, parallel_jobs)

    def _start_redistribution(
        self, cluster: Cluster, mode: str, parallel_jobs: int, delay: float | None = None
    ) -> None:
        def redistribute(task: Task) -> None:
            cluster.redistribution = {
                "mode": mode,
                "parallel_jobs": parallel_jobs,
                "start": task.started,
                "end": None,
            }
            cluster.sub_status = _with(cluster.sub_status, "REDISTRIBUTING")

        self._begin(
            cluster,
            "REDISTRIBUTING",
            "redistributionJob",
            "redistributeClusterStart",
            delay=delay,
            then=redistribute,
        )

    def pause_redistribution(self, cluster_id: str) -> None:
        """Suspend a running redistribution (task_status REDISTRIBUTION_PAUSED)."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        task = cluster.task
        if (
            task is None
            or not task.begun(self.now())
            or task.kind != "REDISTRIBUTING"
            or task.paused_at is not None
        ):
            raise not_allowed(f"Cluster {cluster.name} has no running redistribution.")
        task.paused_at = self.now()
        task.token = self.next_token()  # the scheduled completion no longer applies
        self.emit_event("redistributeClusterPause", cluster.id, cluster.name)

    def resume_redistribution(self, cluster_id: str) -> None:
        """Resume a paused redistribution."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        task = cluster.task
        if task is None or task.kind != "REDISTRIBUTING" or task.paused_at is None:
            raise not_allowed(f"Cluster {cluster.name} has no paused redistribution.")
        task.started += self.now() - task.paused_at
        task.paused_at = None
        task.token = self.next_token()
        self.schedule(task.started + task.duration, "cluster", cluster.id, task.token)
        self.emit_event("redistributeClusterResume", cluster.id, cluster.name)

    def switchback(self, cluster_id: str) -> str | None:
        """Switch an UNBALANCED cluster back to NORMAL."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        if "UNBALANCED" not in cluster.sub_status:
            raise not_allowed(f"Cluster {cluster.name} is balanced; no switchback needed.")
        self._require_idle(cluster, "switch back")
        return self._begin(
            cluster, "ACTIVE_STANDY_SWITCHOVER", "switchBackJob", "switchBackClusterStart"
        )

    def cancel_readonly(self, cluster_id: str) -> None:
        """Remove the READONLY sub-status."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        if "READONLY" not in cluster.sub_status:
            raise not_allowed(f"Cluster {cluster.name} is not read-only.")
        if cluster.status != "AVAILABLE":
            raise not_allowed(f"Cluster {cluster.name} is {cluster.status}.")
        cluster.sub_status = _without(cluster.sub_status, "READONLY")
        cluster.updated = self.now()
        self.resolve_alarms(cluster, READONLY_ALARM)
        self.emit_event("cancelReadonlyClusterSuccess", cluster.id, cluster.name)

    def reset_password(self, cluster_id: str, new_password: str) -> None:
        """Reset the administrator password (checked against the reference's rules)."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        if cluster.status != "AVAILABLE":
            raise not_allowed(f"Cluster {cluster.name} is {cluster.status}.")
        check_password(new_password, cluster.user_name)
        cluster.password_set = self.now()
        self.emit_event("resetPasswordSuccess", cluster.id, cluster.name)

    def check_new_cluster(self, name: str, nodes: int) -> None:
        """Name and size rules of create and restore."""
        if not NAME_RE.match(name):
            raise bad_request("The cluster name pattern is invalid.", BAD_NAME)
        if any(c.name == name for c in self.clusters.values()):
            raise SimError(409, NAME_EXISTS, f"The cluster name {name} already exists.")
        if not 1 <= nodes <= 256 or nodes == 2:
            raise bad_request("Invalid instance quantity.", "DWS.5047")

    # completion ------------------------------------------------------------------------------
    def _complete_cluster_task(self, cluster_id: str, token: int) -> None:
        cluster = self.clusters.get(cluster_id)
        task = cluster.task if cluster else None
        if cluster is None or task is None or task.token != token:
            return
        cluster.task = None
        cluster.updated = self.now()
        self.finish_job(task.job_id)
        done = getattr(self, f"_done_{task.kind.lower()}")
        done(cluster, task.data)

    def _done_rebooting(self, cluster: Cluster, _data: dict[str, Any]) -> None:
        if cluster.param_status == "Pending-Reboot":
            cluster.param_status = "In-Sync"
        self.emit_event("rebootClusterSuccess", cluster.id, cluster.name)

    def _done_stopping(self, cluster: Cluster, _data: dict[str, Any]) -> None:
        cluster.status = "STOPPED"
        self.emit_event("stopClusterSuccess", cluster.id, cluster.name)

    def _done_starting(self, cluster: Cluster, _data: dict[str, Any]) -> None:
        cluster.status = "AVAILABLE"
        self.emit_event("startClusterSuccess", cluster.id, cluster.name)

    def _done_creating(self, cluster: Cluster, _data: dict[str, Any]) -> None:
        cluster.status = "AVAILABLE"
        self.emit_event("createClusterSuccess", cluster.id, cluster.name)

    def _done_restoring(self, cluster: Cluster, _data: dict[str, Any]) -> None:
        cluster.status = "AVAILABLE"
        self.emit_event("restoreClusterSuccess", cluster.id, cluster.name)

    def _done_deleting(self, cluster: Cluster, data: dict[str, Any]) -> None:
        self.drop_cluster_snapshots(cluster.id, int(data.get("keep", 0)))
        del self.clusters[cluster.id]
        self.resolve_alarms(cluster)
        self.emit_event("deleteClusterSuccess", cluster.id, cluster.name)

    def _done_growing(self, cluster: Cluster, data: dict[str, Any]) -> None:
        cluster.number_of_node += int(data.get("count", 0))
        cluster.resize = None
        self.emit_event("expandClusterSuccess", cluster.id, cluster.name)
        if data.get("create_node_only"):
            cluster.last_task_status = "WAITING_REDISTRIBUTION"
        else:
            self._start_redistribution(cluster, "online", 4, delay=0.0)

    def _done_redistributing(self, cluster: Cluster, _data: dict[str, Any]) -> None:
        cluster.sub_status = _without(_without(cluster.sub_status, "REDISTRIBUTING"), "UNBALANCED")
        if cluster.redistribution is not None:
            cluster.redistribution["end"] = self.now()
        self.resolve_alarms(cluster, UNBALANCED_ALARM)
        self.emit_event("redistributeClusterSuccess", cluster.id, cluster.name)

    def _done_active_standy_switchover(self, cluster: Cluster, _data: dict[str, Any]) -> None:
        cluster.sub_status = _without(cluster.sub_status, "UNBALANCED")
        self.resolve_alarms(cluster, UNBALANCED_ALARM)
        self.emit_event("switchBackClusterSuccess", cluster.id, cluster.name)

    def _done_setting_configuration(self, cluster: Cluster, data: dict[str, Any]) -> None:
        cluster.param_status = "Pending-Reboot" if data.get("restart") else "In-Sync"
        self.emit_event("updateConfigurationSuccess", cluster.id, cluster.name)

    def resolve_alarms(self, cluster: Cluster, definition_id: str | None = None) -> None:
        """Clear the cluster's active alarms (of one definition) once their cause is gone."""
        for alarm in self.alarms.values():
            if alarm.cluster_id != cluster.id or alarm.status != "0":
                continue
            if definition_id is None or alarm.definition_id == definition_id:
                alarm.status, alarm.cleared = "1", self.now()
                self.touch()

    def drop_cluster_snapshots(self, cluster_id: str, keep_manual: int) -> None:
        """Delete a cluster's snapshots except its `keep_manual` newest manual ones."""
        ids = self.snapshots_by_cluster.pop(cluster_id, [])
        manual = [s for s in ids if self.snapshots[s].type == "MANUAL"]
        keep = set(
            sorted(manual, key=lambda s: self.snapshots[s].started)[-keep_manual:]
            if keep_manual > 0
            else []
        )
        for sid in ids:
            if sid not in keep:
                del self.snapshots[sid]
        if keep:
            self.snapshots_by_cluster[cluster_id] = [s for s in ids if s in keep]


def _with(flags: list[str], flag: str) -> list[str]:
    rest = [f for f in flags if f not in ("NORMAL", flag)]
    return [*rest, flag]


def _without(flags: list[str], flag: str) -> list[str]:
    rest = [f for f in flags if f != flag]
    return rest or ["NORMAL"]
