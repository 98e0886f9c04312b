"""Trackers keep who asked, the command, its parameters and approvers, for the final audit record.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 00:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tracked_operations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requester_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("requester_name", sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column("requester_team", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("command_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("request_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("approvers", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tracked_operations", schema=None) as batch_op:
        for name in (
            "approvers",
            "params",
            "request_id",
            "command_text",
            "requester_team",
            "requester_name",
            "requester_id",
        ):
            batch_op.drop_column(name)
