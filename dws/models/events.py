"""Events: the event list (5.4.1), event specifications (5.4.2) and event
subscriptions (5.4.3).

``Event.occur_time`` is epoch milliseconds (Long in the reference); ``occurred_at`` reads it.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from dws.models.base import DwsModel, LenientInt, ListOrEmpty, parse_time

__all__ = [
    "Event",
    "EventSpec",
    "EventSubscription",
    "ListEventSpecsResponse",
    "ListEventSubsResponse",
    "ListEventsResponse",
]


class Event(DwsModel):
    """One event (caption ``EventResponse``)."""

    event_id: str
    """Event ID."""
    category: str | None = None
    """Event type, e.g. ``management``."""
    description: str | None = None
    """Event description (a template, e.g. ``Cluster %s deleted successfully.``)."""
    name: str | None = None
    """Event definition name, e.g. ``deleteClusterSuccess``."""
    display_name: str | None = None
    """Event display name."""
    name_space: str | None = None
    """Service, e.g. ``dws``."""
    severity: str | None = None
    """Event severity: normal or warning."""
    source_type: str | None = None
    """Event source type, e.g. ``cluster``."""
    occur_time: LenientInt = None
    """Time of the event, epoch ms; see :attr:`occurred_at`."""
    project_id: str | None = None
    """Project ID."""
    source_id: str | None = None
    """Event source ID (e.g. the cluster ID)."""
    source_name: str | None = None
    """Event source name (e.g. the cluster name)."""
    status: LenientInt = None
    """Status."""
    subject: str | None = None
    """Event subject."""
    context: str | None = None
    """Event information (the filled-in description)."""

    @property
    def occurred_at(self) -> datetime | None:
        """``occur_time`` as an aware UTC datetime."""
        return parse_time(self.occur_time)


class ListEventsResponse(DwsModel):
    """Answer of 5.4.1 Querying the Event List."""

    events: ListOrEmpty[Event] = Field(default_factory=list)
    """The events."""
    count: LenientInt = None
    """Total number of events."""


class EventSpec(DwsModel):
    """An event configuration (caption ``EventSpecResponse``)."""

    id: str
    """Event configuration ID."""
    name: str | None = None
    """Definition name."""
    display_name: str | None = None
    """Display name."""
    description: str | None = None
    """Description."""
    subject: str | None = None
    """Event subject."""
    category: str | None = None
    """Event type."""
    severity: str | None = None
    """Event severity: normal or warning."""
    source_type: str | None = None
    """Event source type."""
    name_space: str | None = None
    """Service."""


class ListEventSpecsResponse(DwsModel):
    """Answer of 5.4.2 Querying Event Configurations."""

    count: LenientInt = None
    """Total number of event configurations."""
    event_specs: ListOrEmpty[EventSpec] = Field(default_factory=list)
    """The event configurations."""


class NotificationSubscription(DwsModel):
    """The fields event and alarm subscriptions share: switch, scope and SMN topic."""

    enable: LenientInt = None
    """1 enabled, 0 disabled."""
    project_id: str | None = None
    """Project ID."""
    name_space: str | None = None
    """Service."""
    notification_target: str | None = None
    """Address of the notification topic (SMN URN)."""
    notification_target_name: str | None = None
    """Notification topic name."""
    notification_target_type: str | None = None
    """Notification type, e.g. ``SMN``."""
    language: str | None = None
    """Language."""
    time_zone: str | None = None
    """Time zone, e.g. ``GMT+08:00``."""

    @property
    def enabled(self) -> bool:
        """Whether the subscription is enabled."""
        return self.enable == 1


class EventSubscription(NotificationSubscription):
    """An event subscription (caption ``EventSubscriptionResponse``)."""

    id: str
    """Subscription ID."""
    name: str | None = None
    """Subscription name."""
    source_type: str | None = None
    """Event source type."""
    source_id: str | None = None
    """Event source ID."""
    category: str | None = None
    """Event type."""
    severity: str | None = None
    """Event severity."""
    tag: str | None = None
    """Tag."""


class ListEventSubsResponse(DwsModel):
    """Answer of 5.4.3 Querying Subscribed Events."""

    count: LenientInt = None
    """Total number of event subscriptions."""
    event_subscriptions: ListOrEmpty[EventSubscription] = Field(default_factory=list)
    """The subscriptions."""
