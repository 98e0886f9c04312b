"""Replicas share rate budgets and the deliveries they have seen.

- ``rate_budgets`` (name, tokens, updated_at, paused_until): token buckets every replica takes
  from (Slack's chat.update budget of a workspace: several replicas must not spend it twice);
  ``paused_until`` is a rate-limit answer's Retry-After, obeyed by every replica.
- ``seen_deliveries`` (key, seen_at): idempotency keys (a Slack event retried to another
  replica is handled once); ``seen_at`` is indexed for pruning.

Downgrading drops both tables: budgets refill from full and keys are forgotten, which only
risks a duplicate delivery while old code runs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_budgets",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rate_budgets")),
    )
    op.create_table(
        "seen_deliveries",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_seen_deliveries")),
    )
    with op.batch_alter_table("seen_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_deliveries_seen_at"), ["seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("seen_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seen_deliveries_seen_at"))
    op.drop_table("seen_deliveries")
    op.drop_table("rate_budgets")
