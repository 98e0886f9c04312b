"""Cluster parameters (configurations): the parameter catalogue and parameter changes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dws.simulator.errors import OUT_OF_RANGE, PARAM_NOT_FOUND, bad_request, not_found
from dws.simulator.state.clusters import ClusterOps
from dws.simulator.state.models import Cluster, Task, derived_id


@dataclass(frozen=True, slots=True)
class Param:
    """One GUC parameter."""

    name: str
    type: str  # boolean | string | integer | float | list
    default: str
    value_range: str
    restart_required: bool
    description: str
    unit: str | None = None
    readonly: bool = False


PARAMS: dict[str, Param] = {
    p.name: p
    for p in [
        Param(
            "enable_constraint_optimization",
            "boolean",
            "on",
            "on|off",
            False,
            "Specifies whether the informational constraint optimization execution plan can "
            "be used for an HDFS foreign table.",
        ),
        Param(
            "max_connections",
            "integer",
            "5000",
            "10~262143",
            True,
            "Maximum number of concurrent connections to the database.",
        ),
        Param(
            "session_timeout",
            "integer",
            "600",
            "0~86400",
            False,
            "Timeout of an idle session.",
            unit="s",
        ),
        Param(
            "work_mem",
            "integer",
            "65536",
            "64~2147483647",
            False,
            "Memory used by internal sort operations and hash tables.",
            unit="KB",
        ),
        Param(
            "enable_bitmapscan",
            "boolean",
            "on",
            "on|off",
            False,
            "Whether the optimizer may use bitmap scans.",
        ),
        Param(
            "datestyle", "string", "ISO,MDY", "", False, "Display format for date and time values."
        ),
        Param(
            "resource_track_level",
            "list",
            "query",
            "none|query|perf|operator",
            False,
            "Resource monitoring level of the current session.",
        ),
        Param(
            "max_process_memory",
            "integer",
            "12582912",
            "2097152~2147483647",
            True,
            "Maximum physical memory of a database node.",
            unit="KB",
            readonly=True,
        ),
    ]
}

INTEGER = re.compile(r"-?[0-9]{1,19}")
CONFIG_KINDS = [
    ("defaultGUCConfig", "GUCConfig"),
    ("defaultOBSConfig", "OBSConfig"),
    ("Default-Parameter-Template-DWS-8_2_0", "parameterGroup"),
]


def configuration_ids(cluster: Cluster) -> list[tuple[str, str, str]]:
    """(id, name, type) of the cluster's parameter groups."""
    return [(derived_id(cluster.id, "config", kind), name, kind) for name, kind in CONFIG_KINDS]


def parameter_group_id(cluster: Cluster) -> str:
    """Id of the cluster's parameter group (the one whose parameters can be changed)."""
    return configuration_ids(cluster)[-1][0]


def _check_value(param: Param, value: str) -> None:
    ok = True
    if param.type == "boolean":
        ok = value in ("on", "off", "true", "false")
    elif param.type == "integer":
        low, _, high = param.value_range.partition("~")
        ok = INTEGER.fullmatch(value) is not None and int(low) <= int(value) <= int(high)
    elif param.type == "list":
        ok = value in param.value_range.split("|")
    if not ok:
        raise bad_request(
            f"Value {value!r} of {param.name} is out of range ({param.value_range}).", OUT_OF_RANGE
        )


class ParamOps(ClusterOps):
    """Reading and changing cluster parameters."""

    def configurations(self, cluster_id: str) -> tuple[Cluster, list[tuple[str, str, str]]]:
        """The cluster and its parameter groups."""
        self.tick()
        cluster = self.get_cluster(cluster_id)
        return cluster, configuration_ids(cluster)

    def parameters(self, cluster_id: str, config_id: str) -> list[dict[str, Any]]:
        """Parameters of one of the cluster's parameter groups, with current values."""
        cluster, configs = self.configurations(cluster_id)
        if config_id not in {c[0] for c in configs}:
            raise not_found("parameter group", config_id, PARAM_NOT_FOUND)
        rows = []
        for p in PARAMS.values():
            cn, dn = cluster.param_values.get(p.name, (p.default, p.default))
            rows.append({"param": p, "cn": cn, "dn": dn})
        return rows

    def update_configuration(
        self, cluster_id: str, config_id: str, items: list[dict[str, Any]]
    ) -> None:
        """Change parameters (CN and/or DN values); applying takes a short task."""
        self.parameters(cluster_id, config_id)
        cluster = self.get_cluster(cluster_id)
        if not items:
            raise bad_request("configurations must not be empty.")
        self._require_idle(cluster, "change parameters")
        restart = False
        changes: list[tuple[str, tuple[str, str]]] = []
        values = dict(cluster.param_values)
        for item in items:
            param = PARAMS.get(str(item["name"]))
            if param is None:
                raise bad_request(f"The parameter {item['name']} does not exist.", PARAM_NOT_FOUND)
            kind = str(item["type"]).lower()
            if kind not in ("cn", "dn"):
                raise bad_request("Parameter type must be CN or DN.", OUT_OF_RANGE)
            if param.readonly:
                raise bad_request(f"The parameter {param.name} is read-only.", OUT_OF_RANGE)
            value = str(item["value"])
            _check_value(param, value)
            cn, dn = values.get(param.name, (param.default, param.default))
            values[param.name] = (value, dn) if kind == "cn" else (cn, value)
            changes.append((param.name, values[param.name]))
            restart = restart or param.restart_required
        cluster.param_values.update(changes)  # all or nothing: every item was checked first

        def applying(task: Task) -> None:
            cluster.param_status = "Applying"

        self._begin(cluster, "SETTING_CONFIGURATION", "updateConfigurationJob", None, then=applying)
        assert cluster.task is not None
        cluster.task.data["restart"] = restart
