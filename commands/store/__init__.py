"""Storage: models, the async `Database` and its units of work, and the repositories.

    from commands.store import Database, AuditEntry, AuditEvent, ApprovalStatus

    db = Database(url)            # None -> SQLite file under the user data directory
    await db.upgrade()            # Alembic to head
    async with db.unit_of_work() as uow:
        uow.approvals   # ApprovalRepository: create, get, add_vote, votes, try_transition,
                        #   release, list_stale, take, set_message_ref, set_result,
                        #   list_pending, expire_due
        uow.trackers    # TrackerRepository: create, get, claim_due, record_poll, finish,
                        #   release, set_message_ref, list_active, active_for
        uow.audit       # AuditRepository: append, append_many (-> AppendedRecord: seq, id,
                        #   at, prev_hash, hash), head, has_head, query, stream, raw_rows,
                        #   add_checkpoint, checkpoints
        uow.leases      # LeaseRepository: acquire, release, holder
        uow.budgets     # BudgetRepository: take (a token of a shared bucket, or the seconds
                        #   to wait), pause
        uow.seen        # SeenRepository: claim (an idempotency key, True once), prune

Errors: `DatabaseUnavailableError` (cannot reach the database; one line, password masked) and
`DatabaseUrlError` (bad URL), both `StoreError`.
"""

from __future__ import annotations

from commands.store.audit import AppendedRecord, AuditEntry
from commands.store.errors import DatabaseUnavailableError, DatabaseUrlError, StoreError
from commands.store.models import (
    Approval,
    ApprovalStatus,
    AuditEvent,
    AuditRecord,
    Lease,
    RateBudget,
    SeenDelivery,
    TrackedOperation,
    TrackerStatus,
    Vote,
    VoteChoice,
)
from commands.store.session import Database, UnitOfWork
from commands.store.urls import default_database_path, default_database_url, mask_url

__all__ = [
    "AppendedRecord",
    "Approval",
    "ApprovalStatus",
    "AuditEntry",
    "AuditEvent",
    "AuditRecord",
    "Database",
    "DatabaseUnavailableError",
    "DatabaseUrlError",
    "Lease",
    "RateBudget",
    "SeenDelivery",
    "StoreError",
    "TrackedOperation",
    "TrackerStatus",
    "UnitOfWork",
    "Vote",
    "VoteChoice",
    "default_database_path",
    "default_database_url",
    "mask_url",
]
