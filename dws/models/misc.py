"""Tags (5.10.1–5.10.4) and resource quotas (5.11.1).

Quota types follow the SDK where the reference table is wrong: ``used`` and ``quota`` are
integers (the example sends them as text, which parses), ``unit`` is text (``"GB"``).
"""

from __future__ import annotations

from pydantic import Field

from dws.models.base import DwsModel, LenientInt, ListOrEmpty

__all__ = [
    "BatchCreateResourceTagsRequest",
    "BatchDeleteResourceTagsRequest",
    "ListClusterTagsResponse",
    "ListQuotasResponse",
    "ListTagsResponse",
    "ProjectTag",
    "QuotaResource",
    "Quotas",
    "ResourceTag",
]


class ProjectTag(DwsModel):
    """A tag key used in the project and all its values (caption ``ProjectTag``)."""

    key: str
    """Tag key."""
    values: ListOrEmpty[str] = Field(default_factory=list)
    """Tag values in use."""


class ListTagsResponse(DwsModel):
    """Answer of 5.10.1 Querying Tags in a Project."""

    tags: ListOrEmpty[ProjectTag] = Field(default_factory=list)
    """The tags."""


class ResourceTag(DwsModel):
    """A tag of a cluster (caption ``ResourceTag``; also the request items of 5.10.3/5.10.4,
    ``BatchCreateResourceTag`` / ``BatchDeleteResourceTag``)."""

    key: str
    """Tag key (1–128 characters)."""
    value: str | None = None
    """Tag value (0–255 characters)."""


class ListClusterTagsResponse(DwsModel):
    """Answer of 5.10.2 Querying Cluster Tags."""

    tags: ListOrEmpty[ResourceTag] = Field(default_factory=list)
    """The cluster's tags."""

    @property
    def tag_map(self) -> dict[str, str]:
        """Tags as a ``{key: value}`` mapping."""
        return {tag.key: tag.value or "" for tag in self.tags}


class BatchCreateResourceTagsRequest(DwsModel):
    """Request body of 5.10.3 Adding Tags in Batches (the answer has no body)."""

    tags: list[ResourceTag]
    """Tags to add."""


class BatchDeleteResourceTagsRequest(DwsModel):
    """Request body of 5.10.4 Deleting Tags in Batches (the answer has no body)."""

    tags: list[ResourceTag]
    """Tags to delete."""


class QuotaResource(DwsModel):
    """Usage and quota of one resource type (caption ``QuotasResource``)."""

    type: str | None = None
    """Resource type: instances, core, ram, disk or disk_capacity."""
    used: LenientInt = None
    """Amount in use."""
    quota: LenientInt = None
    """Quota."""
    unit: str | None = None
    """Unit, e.g. ``GB`` (text ``"null"`` for counts)."""


class Quotas(DwsModel):
    """The quota list (caption ``QuotasResources``)."""

    resources: ListOrEmpty[QuotaResource] = Field(default_factory=list)
    """One entry per resource type."""

    def get(self, resource_type: str) -> QuotaResource | None:
        """The entry of one resource type, if listed."""
        return next((r for r in self.resources if r.type == resource_type), None)


class ListQuotasResponse(DwsModel):
    """Answer of 5.11.1 Querying Resource Quotas."""

    quotas: Quotas | None = None
    """The quotas."""
