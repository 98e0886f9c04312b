"""Initial schema: approvals, votes, trackers, the audit chain, leases and notification state.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 23:30:30.210618
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "approvals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("command_text", sa.Text(), nullable=False),
        sa.Column("requester_id", sa.String(length=128), nullable=False),
        sa.Column("requester_name", sa.String(length=256), nullable=False),
        sa.Column("requester_team", sa.String(length=128), nullable=True),
        sa.Column("channel", sa.String(length=128), nullable=True),
        sa.Column("target_name", sa.String(length=128), nullable=False),
        sa.Column("cluster_id", sa.String(length=64), nullable=True),
        sa.Column("cluster_name", sa.String(length=256), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("plan_state", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "executing",
                "succeeded",
                "failed",
                "denied",
                "cancelled",
                "expired",
                "voided",
                name="approval_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("required_approvals", sa.Integer(), nullable=False),
        sa.Column("approver_roles", sa.JSON(), nullable=False),
        sa.Column("distinct_roles", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_channel", sa.String(length=128), nullable=True),
        sa.Column("message_ts", sa.String(length=64), nullable=True),
        sa.Column("result_request_id", sa.String(length=128), nullable=True),
        sa.Column("result_job_id", sa.String(length=128), nullable=True),
        sa.Column("result_error_code", sa.String(length=64), nullable=True),
        sa.Column("result_text", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approvals_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_approvals_status"), ["status"], unique=False)

    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    audit_chain_head = sa.table(
        "audit_chain_head",
        sa.column("id", sa.Integer()),
        sa.column("last_seq", sa.BigInteger()),
        sa.column("last_hash", sa.String()),
    )
    op.bulk_insert(audit_chain_head, [{"id": 1, "last_seq": 0, "last_hash": "0" * 64}])
    op.create_table(
        "audit_records",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "event",
            sa.Enum(
                "allowed",
                "denied_by_policy",
                "requested",
                "approved",
                "denied",
                "expired",
                "executed",
                "succeeded",
                "failed",
                "cancelled",
                "voided",
                name="audit_event",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(length=128), nullable=True),
        sa.Column("user_name", sa.String(length=256), nullable=True),
        sa.Column("team", sa.String(length=128), nullable=True),
        sa.Column("channel", sa.String(length=128), nullable=True),
        sa.Column("command_text", sa.Text(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=True),
        sa.Column("target_name", sa.String(length=128), nullable=True),
        sa.Column("cluster_id", sa.String(length=64), nullable=True),
        sa.Column("cluster_name", sa.String(length=256), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("approvers", sa.JSON(), nullable=False),
        sa.Column("approval_id", sa.String(length=36), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("job_id", sa.String(length=128), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_records")),
        sa.UniqueConstraint("id", name=op.f("uq_audit_records_id")),
    )
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_records_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_records_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_records_cluster_id"), ["cluster_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_records_user_id"), ["user_id"], unique=False)

    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("owner", sa.String(length=128), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("dedupe_key", sa.String(length=256), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deliver_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_ts", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_delivered_at"), ["delivered_at", "deliver_after"], unique=False
        )

    op.create_table(
        "poll_cursors",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_poll_cursors")),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=False),
        sa.Column("target_name", sa.String(length=128), nullable=False),
        sa.Column("cluster_glob", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("min_level", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint(
            "channel",
            "target_name",
            "cluster_glob",
            "kind",
            name=op.f("uq_subscriptions_channel_target_name_cluster_glob_kind"),
        ),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscriptions_channel"), ["channel"], unique=False)

    op.create_table(
        "approval_votes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("approval_id", sa.String(length=36), nullable=False),
        sa.Column("voter_id", sa.String(length=128), nullable=False),
        sa.Column("voter_name", sa.String(length=256), nullable=False),
        sa.Column("voter_role", sa.String(length=64), nullable=False),
        sa.Column(
            "choice",
            sa.Enum(
                "approve",
                "deny",
                name="vote_choice",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["approvals.id"],
            name=op.f("fk_approval_votes_approval_id_approvals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_votes")),
        sa.UniqueConstraint(
            "approval_id", "voter_id", name=op.f("uq_approval_votes_approval_id_voter_id")
        ),
    )
    with op.batch_alter_table("approval_votes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approval_votes_approval_id"), ["approval_id"], unique=False
        )

    op.create_table(
        "tracked_operations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("approval_id", sa.String(length=36), nullable=True),
        sa.Column("target_name", sa.String(length=128), nullable=False),
        sa.Column("cluster_id", sa.String(length=64), nullable=True),
        sa.Column("cluster_name", sa.String(length=256), nullable=True),
        sa.Column("job_id", sa.String(length=128), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "succeeded",
                "failed",
                "cancelled",
                "timed_out",
                name="tracker_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("last_progress", sa.String(length=256), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_channel", sa.String(length=128), nullable=True),
        sa.Column("message_ts", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["approvals.id"],
            name=op.f("fk_tracked_operations_approval_id_approvals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_operations")),
    )
    with op.batch_alter_table("tracked_operations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracked_operations_approval_id"), ["approval_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tracked_operations_status"), ["status", "next_poll_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tracked_operations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracked_operations_status"))
        batch_op.drop_index(batch_op.f("ix_tracked_operations_approval_id"))

    op.drop_table("tracked_operations")
    with op.batch_alter_table("approval_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_votes_approval_id"))

    op.drop_table("approval_votes")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriptions_channel"))

    op.drop_table("subscriptions")
    op.drop_table("poll_cursors")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_delivered_at"))

    op.drop_table("outbox")
    op.drop_table("leases")
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_records_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_records_cluster_id"))
        batch_op.drop_index(batch_op.f("ix_audit_records_at"))
        batch_op.drop_index(batch_op.f("ix_audit_records_action"))

    op.drop_table("audit_records")
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approvals_status"))
        batch_op.drop_index(batch_op.f("ix_approvals_expires_at"))

    op.drop_table("approvals")
