"""Cluster parameters: the parameter groups of a cluster (5.2.42) and the parameter
settings of one group (5.2.43)."""

from __future__ import annotations

from pydantic import Field

from dws.models.base import DwsModel, LenientBool, ListOrEmpty

__all__ = [
    "ClusterConfiguration",
    "ConfigurationParameter",
    "ConfigurationParameterValue",
    "ListClusterConfigurationsParameterResponse",
    "ListClusterConfigurationsResponse",
]


class ClusterConfiguration(DwsModel):
    """A parameter group of a cluster (caption ``ClusterConfiguration``)."""

    id: str
    """Parameter group ID."""
    name: str | None = None
    """Parameter group name."""
    type: str | None = None
    """Parameter group type, e.g. ``GUCConfig``, ``parameterGroup``."""
    status: str | None = None
    """Status: In-Sync, Applying, Pending-Reboot or Sync-Failure."""
    fail_reason: str | None = None
    """Why applying failed (the service sends the text ``"null"`` when nothing failed)."""


class ListClusterConfigurationsResponse(DwsModel):
    """Answer of 5.2.42 Querying a Cluster Parameter Group."""

    configurations: ListOrEmpty[ClusterConfiguration] = Field(default_factory=list)
    """The parameter groups."""


class ConfigurationParameterValue(DwsModel):
    """A parameter's value on one instance type (caption ``ConfigurationParameterUnit``)."""

    type: str | None = None
    """Instance type: ``cn`` or ``dn``."""
    value: str | None = None
    """Current value."""
    default_value: str | None = None
    """Default value."""


class ConfigurationParameter(DwsModel):
    """One parameter of a group (caption ``ConfigurationParameter``)."""

    name: str
    """Parameter name."""
    values: ListOrEmpty[ConfigurationParameterValue] = Field(default_factory=list)
    """Values per instance type."""
    unit: str | None = None
    """Unit."""
    type: str | None = None
    """Parameter type: boolean, string, integer, float or list."""
    readonly: LenientBool = None
    """Whether the parameter is read-only."""
    value_range: str | None = None
    """Value range, e.g. ``on|off``."""
    restart_required: LenientBool = None
    """Whether a change needs a restart."""
    description: str | None = None
    """Description."""

    def value_for(self, instance_type: str) -> str | None:
        """The current value on ``cn`` or ``dn`` instances, if listed."""
        for item in self.values:
            if (item.type or "").lower() == instance_type.lower():
                return item.value
        return None


class ListClusterConfigurationsParameterResponse(DwsModel):
    """Answer of 5.2.43 Querying Cluster Parameter Settings."""

    configurations: ListOrEmpty[ConfigurationParameter] = Field(default_factory=list)
    """The parameters."""
