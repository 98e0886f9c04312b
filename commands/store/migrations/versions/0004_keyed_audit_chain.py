"""The audit chain is keyed: each record says how it is hashed; signed checkpoints are kept.

- ``audit_records.hash_alg`` (not null, server default ``'sha256'``): how the record's ``hash``
  was computed. Every record that exists when this revision runs is marked ``sha256`` (the
  column is added with that server default, so each existing row reads ``sha256``): they were
  hashed by plain sha256 without a key and stay verifiable as such. Records written afterwards
  with ``DWSBOT_AUDIT_KEY`` (or the simulator's generated key) are ``hmac-sha256``; a replica
  still on the old code keeps writing rows without the column, which the default marks
  ``sha256`` as well, which is what they are.
- ``audit_records.key_id`` (nullable): the public tag of the key of an ``hmac-sha256`` record
  (NULL for ``sha256`` records), so a wrong key is reported as such.
- ``audit_checkpoints`` (id, line): the signed lines written by ``dwsbot audit checkpoint``.

Downgrading drops the marks and the checkpoints: keyed records then fail the old code's check.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hash_alg", sa.String(length=16), server_default="sha256", nullable=False)
        )
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_column("key_id")
        batch_op.drop_column("hash_alg")
