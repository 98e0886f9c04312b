"""The simulated resources: plain dataclasses, no behaviour beyond small derived values.

Times are simulated epoch seconds (floats). A running operation is a `Task` whose progress is
computed from the clock when read; the state finishes it when its deadline passes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

SIM_NAMESPACE = uuid.UUID("6f1c5f1e-9d5b-4c1a-9a43-2f5d8c0b7e11")


def derived_id(*parts: object) -> str:
    """A stable UUID derived from `parts` (node ids, parameter group ids ...)."""
    return str(uuid.uuid5(SIM_NAMESPACE, "/".join(str(p) for p in parts)))


@dataclass(slots=True)
class Task:
    """An operation in progress on a resource.

    An accepted operation starts ``start_delay`` simulated seconds after it was accepted, as on
    the real service: until ``started`` the task holds the resource (a second operation is
    refused) but nothing of it shows (`begun` is False)."""

    kind: str  # task_status / action_progress key, e.g. REBOOTING
    started: float
    duration: float
    job_id: str | None = None
    token: int = 0
    paused_at: float | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def begun(self, now: float) -> bool:
        """True once the task has started (it shows in the resource's status and progress)."""
        return self.started <= now

    def progress(self, now: float) -> int:
        """Percent done, 0..99 while running (100 only once finished)."""
        at = self.paused_at if self.paused_at is not None else now
        if self.duration <= 0:
            return 99
        return max(0, min(99, int((at - self.started) / self.duration * 100)))


@dataclass(slots=True)
class NodeType:
    """A node flavor."""

    id: str
    spec_name: str
    vcpus: int
    ram: int
    volume_type: str
    volume_size: int
    datastore_type: str = "dws"


@dataclass(slots=True)
class Cluster:
    """A DWS cluster."""

    id: str
    name: str
    version: str
    node_type: NodeType
    number_of_node: int
    number_of_cn: int
    availability_zone: str
    created: float
    updated: float
    vpc_id: str
    subnet_id: str
    security_group_id: str
    net_prefix: str  # "10.12" -> node i has private ip 10.12.0.(10+i)
    status: str = "AVAILABLE"
    sub_status: list[str] = field(default_factory=lambda: ["NORMAL"])
    task: Task | None = None
    last_task_status: str | None = None  # result of the last task (e.g. REBOOT_FAILURE)
    port: int = 8000
    user_name: str = "dbadmin"
    password_set: float = 0.0
    enterprise_project_id: str = "0"
    tags: dict[str, str] = field(default_factory=dict)
    eip_id: str | None = None
    public_ip: str | None = None
    param_values: dict[str, tuple[str, str]] = field(default_factory=dict)
    param_status: str = "In-Sync"
    resize: dict[str, Any] | None = None
    redistribution: dict[str, Any] | None = None
    failed_reason: tuple[str, str] | None = None
    maintain_day: str = "Wed"

    @property
    def node_ids(self) -> list[str]:
        """Ids of the cluster's instances (derived, stable)."""
        return [derived_id(self.id, "node", i) for i in range(self.number_of_node)]

    def private_ip(self, index: int) -> str:
        """Private IP of node `index`."""
        return f"{self.net_prefix}.{index // 200}.{10 + index % 200}"

    def node_name(self, index: int) -> str:
        """Instance name, as the service names CN-bearing instances."""
        return f"{self.name}-dws-cn-cn-{index + 1}-1"


@dataclass(slots=True)
class Snapshot:
    """A cluster snapshot."""

    id: str
    name: str
    description: str
    cluster_id: str
    cluster_name: str
    version: str
    started: float
    duration: float
    size: float
    type: str = "MANUAL"
    status: str = "CREATING"
    finished: float | None = None
    task_token: int = 0
    origin: Cluster | None = None  # the cluster as it was (restorable after it is deleted)


@dataclass(slots=True)
class Job:
    """An asynchronous job readable through the job API."""

    id: str
    name: str
    begin: float
    duration: float
    cluster_id: str | None = None
    status: str = "RUNNING"
    end: float | None = None
    failed_code: str | None = None
    failed_detail: str | None = None


@dataclass(slots=True)
class Alarm:
    """One raised alarm on a cluster."""

    id: str
    definition_id: str
    name: str
    level: str
    cluster_id: str
    cluster_name: str
    raised: float
    message: str
    status: str = "0"  # 0: not cleared, 1: cleared
    cleared: float | None = None


@dataclass(slots=True)
class Subscription:
    """An event or alarm subscription; `fields` holds the reference's response fields."""

    id: str
    kind: str  # "event" or "alarm"
    fields: dict[str, Any]


@dataclass(slots=True)
class DrTask:
    """A disaster-recovery relation between a primary and a standby cluster."""

    id: str
    name: str
    dr_type: str
    primary_id: str
    standby_id: str
    status: str
    created: float
    started: float | None
    last_sync: float | None
    sync_period: str = "30m"
    task: Task | None = None
