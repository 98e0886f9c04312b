"""Executions leave a trail before the DWS call; votes are re-judged; trackers keep evidence.

- ``approvals.executing_until`` / ``approvals.executor``: while ``executing``, who holds the
  row and until when; past it, with no tracker, the sweeper settles it from DWS's state.
- ``approvals.requester_groups`` and ``approval_votes.voter_groups``: the groups each person had,
  so votes and the required count are re-judged under the policy in force at execution.
- ``tracked_operations.evidence``: what the tracker saw that shows the operation started (a
  tracker succeeds only after evidence).
- approval statuses ``unknown`` and ``interrupted``; audit events ``executing`` (the intent,
  written before the DWS call), ``unknown`` and ``interrupted``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 06:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPROVAL_OLD = (
    "pending",
    "approved",
    "executing",
    "succeeded",
    "failed",
    "denied",
    "cancelled",
    "expired",
    "voided",
)
APPROVAL_NEW = (*APPROVAL_OLD, "unknown", "interrupted")
AUDIT_OLD = (
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
)
AUDIT_NEW = (*AUDIT_OLD, "executing", "unknown", "interrupted")


def _enum(values: Sequence[str], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def _retype(table: str, column: str, name: str, old: Sequence[str], new: Sequence[str]) -> None:
    """Widen (or narrow) the CHECK constraint of a non-native enum column."""
    constraint = op.f(f"ck_{table}_{name}")
    if op.get_bind().dialect.name == "sqlite":  # SQLite: the table is rebuilt with the new type
        with op.batch_alter_table(table, schema=None, recreate="always") as batch_op:
            batch_op.drop_constraint(constraint, type_="check")
            batch_op.alter_column(column, existing_type=_enum(old, name), type_=_enum(new, name))
        return
    op.drop_constraint(constraint, table, type_="check")
    allowed = ", ".join(f"'{value}'" for value in new)
    op.create_check_constraint(constraint, table, f"{column} IN ({allowed})")


def upgrade() -> None:
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("executing_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("executor", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("requester_groups", sa.JSON(), nullable=True))
    with op.batch_alter_table("approval_votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voter_groups", sa.JSON(), nullable=True))
    with op.batch_alter_table("tracked_operations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence", sa.String(length=256), nullable=True))
    _retype("approvals", "status", "approval_status", APPROVAL_OLD, APPROVAL_NEW)
    _retype("audit_records", "event", "audit_event", AUDIT_OLD, AUDIT_NEW)


def downgrade() -> None:
    _retype("audit_records", "event", "audit_event", AUDIT_NEW, AUDIT_OLD)
    _retype("approvals", "status", "approval_status", APPROVAL_NEW, APPROVAL_OLD)
    with op.batch_alter_table("tracked_operations", schema=None) as batch_op:
        batch_op.drop_column("evidence")
    with op.batch_alter_table("approval_votes", schema=None) as batch_op:
        batch_op.drop_column("voter_groups")
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_column("requester_groups")
        batch_op.drop_column("executor")
        batch_op.drop_column("executing_until")
