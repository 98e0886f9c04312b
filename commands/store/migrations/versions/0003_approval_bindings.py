"""Approvals keep what their plan resolved, so that the re-plan before execution is by id only.

``approvals.bindings``: the references the plan resolved at request time and the ids they
designated (``{"cluster:report": "<id of reporting>"}``). Requests made before this revision
have none, so their execution is voided (they ask again) rather than re-resolved by name.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 22:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bindings", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_column("bindings")
