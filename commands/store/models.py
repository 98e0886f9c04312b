"""The storage models: every table the bot keeps (SQLAlchemy 2, typed, async-safe).

Tables (all built by the Alembic revisions in ``commands/store/migrations``):

- ``approvals`` / ``approval_votes``: pending and past approval requests and their votes;
- ``tracked_operations``: long DWS operations being polled (they survive a restart);
- ``audit_records`` / ``audit_chain_head`` / ``audit_checkpoints``: the hash-chained audit log,
  its head row and the signed checkpoints written by ``dwsbot audit checkpoint``;
- ``leases``: named leases that keep a worker single across replicas;
- ``rate_budgets``: token buckets shared by every replica (Slack's edit budget of a workspace);
- ``seen_deliveries``: idempotency keys of deliveries already handled (Slack's retried events);
- ``subscriptions`` / ``poll_cursors`` / ``outbox``: notification state (subscriptions of
  channels to clusters' events, pollers' cursors, messages waiting for delivery).

Relationships refuse lazy loading (``lazy="raise"``): load what you need in the repository.
Times are timezone-aware UTC on every backend (``UTCDateTime``); enums are stored as short
strings with a CHECK constraint (no native PostgreSQL enum types to migrate).
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from dws.clock import utcnow as utcnow  # re-exported: the store's users import it from here

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first audit record."""
UNKEYED = "sha256"
"""``audit_records.hash_alg`` of a record hashed without a key (before 0004, or no key set)."""
KEYED = "hmac-sha256"
"""``audit_records.hash_alg`` of a record hashed with the audit key (``DWSBOT_AUDIT_KEY``)."""


def new_id() -> str:
    """A new random identifier (UUID4, 36 characters)."""
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with the naming convention every constraint and index follows."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: sa.JSON()}


class ApprovalStatus(enum.StrEnum):
    """Where an approval request is in its life."""

    PENDING = "pending"
    APPROVED = "approved"
    EXECUTING = "executing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DENIED = "denied"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    VOIDED = "voided"
    UNKNOWN = "unknown"
    INTERRUPTED = "interrupted"


class VoteChoice(enum.StrEnum):
    """A voter's choice."""

    APPROVE = "approve"
    DENY = "deny"


class TrackerStatus(enum.StrEnum):
    """The state of a tracked operation."""

    ACTIVE = "active"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"


class AuditEvent(enum.StrEnum):
    """What an audit record is about."""

    ALLOWED = "allowed"
    DENIED_BY_POLICY = "denied_by_policy"
    REQUESTED = "requested"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    EXECUTED = "executed"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    VOIDED = "voided"
    EXECUTING = "executing"
    UNKNOWN = "unknown"
    INTERRUPTED = "interrupted"


def _enum(cls: type[enum.StrEnum], name: str) -> sa.Enum:
    return sa.Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Approval(Base):
    """An approval request: the plan shown to approvers and what became of it."""

    __tablename__ = "approvals"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    action: Mapped[str] = mapped_column(sa.String(64))
    command_text: Mapped[str] = mapped_column(sa.Text)
    requester_id: Mapped[str] = mapped_column(sa.String(128))
    requester_name: Mapped[str] = mapped_column(sa.String(256))
    requester_team: Mapped[str | None] = mapped_column(sa.String(128))
    channel: Mapped[str | None] = mapped_column(sa.String(128))
    target_name: Mapped[str] = mapped_column(sa.String(128))
    cluster_id: Mapped[str | None] = mapped_column(sa.String(64))
    cluster_name: Mapped[str | None] = mapped_column(sa.String(256))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    plan_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[ApprovalStatus] = mapped_column(
        _enum(ApprovalStatus, "approval_status"), default=ApprovalStatus.PENDING, index=True
    )
    required_approvals: Mapped[int] = mapped_column(default=1)
    approver_roles: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    distinct_roles: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    message_channel: Mapped[str | None] = mapped_column(sa.String(128))
    message_ts: Mapped[str | None] = mapped_column(sa.String(64))
    result_request_id: Mapped[str | None] = mapped_column(sa.String(128))
    result_job_id: Mapped[str | None] = mapped_column(sa.String(128))
    result_error_code: Mapped[str | None] = mapped_column(sa.String(64))
    result_text: Mapped[str | None] = mapped_column(sa.Text)
    bindings: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    """What the plan resolved at request time (``"cluster:report"`` → the cluster id); the
    re-plan before execution resolves through these, by id only."""
    executing_until: Mapped[datetime | None] = mapped_column()
    """While ``executing``: until when the executor holds it; past it, with no tracker, the
    sweeper settles it from DWS's state. None once the outcome (or a tracker) is recorded."""
    executor: Mapped[str | None] = mapped_column(sa.String(128))
    """Who holds the executing row (a process, or the sweeper that took it over)."""
    requester_groups: Mapped[list[str] | None] = mapped_column(sa.JSON)
    """The requester's groups when asking (the policy re-check at execution maps them)."""

    votes: Mapped[list[Vote]] = relationship(
        back_populates="approval", lazy="raise", order_by="Vote.id"
    )


class Vote(Base):
    """One voter's vote on one approval (a voter votes once: unique approval_id + voter_id)."""

    __tablename__ = "approval_votes"
    __table_args__ = (sa.UniqueConstraint("approval_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    approval_id: Mapped[str] = mapped_column(
        sa.ForeignKey("approvals.id", ondelete="CASCADE"), index=True
    )
    voter_id: Mapped[str] = mapped_column(sa.String(128))
    voter_name: Mapped[str] = mapped_column(sa.String(256))
    voter_role: Mapped[str] = mapped_column(sa.String(64))
    choice: Mapped[VoteChoice] = mapped_column(_enum(VoteChoice, "vote_choice"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    voter_groups: Mapped[list[str] | None] = mapped_column(sa.JSON)
    """The voter's groups when voting: votes are re-judged by the policy in force at execution."""

    approval: Mapped[Approval] = relationship(back_populates="votes", lazy="raise")


class TrackedOperation(Base):
    """A long DWS operation being polled until it finishes (a job or a cluster's status)."""

    __tablename__ = "tracked_operations"
    __table_args__ = (sa.Index(None, "status", "next_poll_at"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    approval_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("approvals.id", ondelete="SET NULL"), index=True
    )
    target_name: Mapped[str] = mapped_column(sa.String(128))
    cluster_id: Mapped[str | None] = mapped_column(sa.String(64))
    cluster_name: Mapped[str | None] = mapped_column(sa.String(256))
    job_id: Mapped[str | None] = mapped_column(sa.String(128))
    kind: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[TrackerStatus] = mapped_column(
        _enum(TrackerStatus, "tracker_status"), default=TrackerStatus.ACTIVE
    )
    last_progress: Mapped[str | None] = mapped_column(sa.String(256))
    detail: Mapped[str | None] = mapped_column(sa.Text)
    error_code: Mapped[str | None] = mapped_column(sa.String(64))
    polls: Mapped[int] = mapped_column(default=0)
    next_poll_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(sa.String(128))
    lease_until: Mapped[datetime | None] = mapped_column()
    message_channel: Mapped[str | None] = mapped_column(sa.String(128))
    message_ts: Mapped[str | None] = mapped_column(sa.String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    # who asked and what, copied into the final audit record (redacted like the audit log)
    requester_id: Mapped[str | None] = mapped_column(sa.String(128))
    requester_name: Mapped[str | None] = mapped_column(sa.String(256))
    requester_team: Mapped[str | None] = mapped_column(sa.String(128))
    command_text: Mapped[str | None] = mapped_column(sa.Text)
    request_id: Mapped[str | None] = mapped_column(sa.String(128))
    params: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    approvers: Mapped[list[str] | None] = mapped_column(sa.JSON)
    evidence: Mapped[str | None] = mapped_column(sa.String(256))
    """What showed the operation started (a task status, the job, a status change); a tracker
    succeeds only after it has evidence."""

    approval: Mapped[Approval | None] = relationship(lazy="raise")


class AuditRecord(Base):
    """One audit record. ``seq`` is the chain position (1, 2, ...), assigned under the chain lock.

    ``hash`` is HMAC-SHA256 under the audit key (``hash_alg`` ``hmac-sha256``, ``key_id`` naming
    the key) or plain sha256 (``sha256``) over the canonical JSON of the other fields and
    ``prev_hash`` (see ``commands.store.chain``); ``prev_hash`` is the previous record's ``hash``.
    """

    __tablename__ = "audit_records"

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=False
    )
    id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    at: Mapped[datetime] = mapped_column(index=True)
    event: Mapped[AuditEvent] = mapped_column(_enum(AuditEvent, "audit_event"))
    user_id: Mapped[str | None] = mapped_column(sa.String(128), index=True)
    user_name: Mapped[str | None] = mapped_column(sa.String(256))
    team: Mapped[str | None] = mapped_column(sa.String(128))
    channel: Mapped[str | None] = mapped_column(sa.String(128))
    command_text: Mapped[str | None] = mapped_column(sa.Text)
    action: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    target_name: Mapped[str | None] = mapped_column(sa.String(128))
    cluster_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    cluster_name: Mapped[str | None] = mapped_column(sa.String(256))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    approvers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    approval_id: Mapped[str | None] = mapped_column(sa.String(36))
    request_id: Mapped[str | None] = mapped_column(sa.String(128))
    job_id: Mapped[str | None] = mapped_column(sa.String(128))
    outcome: Mapped[str | None] = mapped_column(sa.Text)
    error_code: Mapped[str | None] = mapped_column(sa.String(64))
    duration_ms: Mapped[int | None] = mapped_column()
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
    hash_alg: Mapped[str] = mapped_column(sa.String(16), server_default=UNKEYED)
    key_id: Mapped[str | None] = mapped_column(sa.String(16))


class AuditChainHead(Base):
    """The single row (id 1) naming the last audit record: the chain's lock and tail check."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"))
    last_hash: Mapped[str] = mapped_column(sa.String(64))


class AuditCheckpoint(Base):
    """A signed checkpoint line (``commands.store.chain.Checkpoint``), as it was printed."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    line: Mapped[str] = mapped_column(sa.Text)


class Lease(Base):
    """A named lease: the owner may act alone until ``until`` (single-replica workers)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    owner: Mapped[str] = mapped_column(sa.String(128))
    until: Mapped[datetime] = mapped_column()


class RateBudget(Base):
    """A token bucket shared by every replica: ``tokens`` as of ``updated_at``, refilled on use.

    ``paused_until`` (a rate-limit answer's Retry-After) stops every taker until then."""

    __tablename__ = "rate_budgets"

    name: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    tokens: Mapped[float] = mapped_column(sa.Float)
    updated_at: Mapped[datetime] = mapped_column()
    paused_until: Mapped[datetime | None] = mapped_column()


class SeenDelivery(Base):
    """An idempotency key already claimed (a delivery handled once across replicas)."""

    __tablename__ = "seen_deliveries"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class Subscription(Base):
    """A channel's subscription to DWS events/alarms of clusters matching a glob."""

    __tablename__ = "subscriptions"
    __table_args__ = (sa.UniqueConstraint("channel", "target_name", "cluster_glob", "kind"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(sa.String(128), index=True)
    target_name: Mapped[str] = mapped_column(sa.String(128))
    cluster_glob: Mapped[str] = mapped_column(sa.String(256))
    kind: Mapped[str] = mapped_column(sa.String(32))
    min_level: Mapped[str | None] = mapped_column(sa.String(32))
    created_by: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PollCursor(Base):
    """Where a poller stopped reading a feed (for example events of one target)."""

    __tablename__ = "poll_cursors"

    name: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    cursor: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A notification waiting for delivery to a channel (dedupe_key makes writes idempotent)."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index(None, "delivered_at", "deliver_after"),)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    dedupe_key: Mapped[str] = mapped_column(sa.String(256), unique=True)
    channel: Mapped[str] = mapped_column(sa.String(128))
    payload: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deliver_after: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    delivered_at: Mapped[datetime | None] = mapped_column()
    message_ts: Mapped[str | None] = mapped_column(sa.String(64))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
