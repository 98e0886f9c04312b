"""Known values of the cluster state fields (5.2.6 / 5.2.13), as plain string constants.

The fields themselves are typed ``str``: the service adds values over time, and a value
that is not listed here must still parse. ``sub_status`` may combine several words
(``"UNBALANCED | READONLY"`` style combinations are documented), so match on membership,
not equality, when a decision depends on it.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ClusterNodeStatus",
    "ClusterStatus",
    "ClusterSubStatus",
    "ClusterTaskStatus",
    "ParameterGroupStatus",
    "PublicBindType",
    "ResizeStatus",
]


class ClusterStatus:
    """``status`` of a cluster (spellings as documented, e.g. ``STOPING``)."""

    CREATING: Final = "CREATING"
    AVAILABLE: Final = "AVAILABLE"
    ACTIVE: Final = "ACTIVE"
    UNAVAILABLE: Final = "UNAVAILABLE"
    FAILED: Final = "FAILED"
    CREATION_FAILED: Final = "CREATION FAILED"
    CREATE_FAILED: Final = "CREATE_FAILED"
    DELETING: Final = "DELETING"
    DELETION_FAILED: Final = "DELETION FAILED"
    DELETE_FAILED: Final = "DELETE_FAILED"
    DELETED: Final = "DELETED"
    STOPPING: Final = "STOPING"
    STOPPED: Final = "STOPPED"
    STARTING: Final = "STARTING"
    FROZEN: Final = "FROZEN"


class ClusterSubStatus:
    """Words that make up ``sub_status`` of a cluster in the AVAILABLE state."""

    NORMAL: Final = "NORMAL"
    READONLY: Final = "READONLY"
    REDISTRIBUTING: Final = "REDISTRIBUTING"
    REDISTRIBUTION_FAILURE: Final = "REDISTRIBUTION-FAILURE"
    UNBALANCED: Final = "UNBALANCED"
    DEGRADED: Final = "DEGRADED"


class ClusterTaskStatus:
    """``task_status`` of a cluster: the management task under way (also the keys of
    ``action_progress``)."""

    UNFREEZING: Final = "UNFREEZING"
    FREEZING: Final = "FREEZING"
    CREATING: Final = "CREATING"
    RESTORING: Final = "RESTORING"
    SNAPSHOTTING: Final = "SNAPSHOTTING"
    GROWING: Final = "GROWING"
    REBOOTING: Final = "REBOOTING"
    SETTING_CONFIGURATION: Final = "SETTING_CONFIGURATION"
    CONFIGURING_EXT_DATASOURCE: Final = "CONFIGURING_EXT_DATASOURCE"
    DELETING_EXT_DATASOURCE: Final = "DELETING_EXT_DATASOURCE"
    REBOOT_FAILURE: Final = "REBOOT_FAILURE"
    RESIZE_FAILURE: Final = "RESIZE_FAILURE"
    ADD_CN_ING: Final = "ADD_CN_ING"
    DEL_CN_ING: Final = "DEL_CN_ING"
    CREATING_NODE: Final = "CREATING_NODE"
    CREATE_NODE_FAILED: Final = "CREATE_NODE_FAILED"
    DELETING_NODE: Final = "DELETING_NODE"
    DELETE_NODE_FAILED: Final = "DELETE_NODE_FAILED"
    REDISTRIBUTING: Final = "REDISTRIBUTING"
    REDISTRIBUTE_FAILURE: Final = "REDISTRIBUTE_FAILURE"
    WAITING_REDISTRIBUTION: Final = "WAITING_REDISTRIBUTION"
    REDISTRIBUTION_PAUSED: Final = "REDISTRIBUTION_PAUSED"
    ELB_BINDING: Final = "ELB_BINDING"
    ELB_BIND_FAILED: Final = "ELB_BIND_FAILED"
    ELB_UNBINDING: Final = "ELB_UNBINDING"
    ELB_UNBIND_FAILED: Final = "ELB_UNBIND_FAILED"
    ELB_SWITCHING: Final = "ELB_SWITCHING"
    ELB_SWITCHING_FAILED: Final = "ELB_SWITCHING_FAILED"
    NETWORK_CONFIGURING: Final = "NETWORK_CONFIGURING"
    NETWORK_CONFIG_FAILED: Final = "NETWORK_CONFIG_FAILED"
    DISK_EXPANDING: Final = "DISK_EXPANDING"
    DISK_EXPAND_FAILED: Final = "DISK_EXPAND_FAILED"
    ACTIVE_STANDY_SWITCHOVER: Final = "ACTIVE_STANDY_SWITCHOVER"
    ACTIVE_STANDY_SWITCHOVER_FAILURE: Final = "ACTIVE_STANDY_SWITCHOVER_FAILURE"
    CLUSTER_SHRINKING: Final = "CLUSTER_SHRINKING"
    CLUSTER_SHRINK_FAILED: Final = "CLUSTER_SHRINK_FAILED"
    SHRINK_CHECKING: Final = "SHRINK_CHECKING"
    SHRINK_CHECK_FAILED: Final = "SHRINK_CHECK_FAILED"
    FLAVOR_RESIZING: Final = "FLAVOR_RESIZING"
    FLAVOR_RESIZING_FAILED: Final = "FLAVOR_RESIZING_FAILED"
    MANAGE_IP_BINDING: Final = "MANAGE_IP_BINDING"
    MANAGE_IP_BIND_FAILED: Final = "MANAGE_IP_BIND_FAILED"
    FINE_GRAINED_RESTORING: Final = "FINE_GRAINED_RESTORING"
    DR_RECOVERING: Final = "DR_RECOVERING"
    REPAIRING: Final = "REPAIRING"


class ClusterNodeStatus:
    """``status`` of an entry of a cluster's ``nodes`` list (numeric codes as strings)."""

    CREATING: Final = "100"
    IDLE: Final = "199"
    AVAILABLE: Final = "200"
    UNAVAILABLE: Final = "300"
    CREATION_FAILED: Final = "303"
    DELETING: Final = "304"
    DELETION_FAILED: Final = "305"
    DELETED: Final = "400"


class ParameterGroupStatus:
    """``status`` of a cluster's parameter group (also of 5.2.42 configurations)."""

    IN_SYNC: Final = "In-Sync"
    APPLYING: Final = "Applying"
    PENDING_REBOOT: Final = "Pending-Reboot"
    SYNC_FAILURE: Final = "Sync-Failure"


class PublicBindType:
    """``public_bind_type`` of a cluster's EIP."""

    AUTO_ASSIGN: Final = "auto_assign"
    NOT_USE: Final = "not_use"
    BIND_EXISTING: Final = "bind_existing"


class ResizeStatus:
    """``resize_status`` of a scale-out."""

    GROWING: Final = "GROWING"
    RESIZE_FAILURE: Final = "RESIZE_FAILURE"
