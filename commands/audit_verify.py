"""Verifying the audit chain, and signing checkpoints of it.

    report = await verify(db)                          # the chain, the head, stored checkpoints
    report = await verify(db, [Checkpoint.parse(line)])  # and checkpoints kept elsewhere
    cp, report = await checkpoint(db)                  # verify, then sign and store (seq, head)

`verify` reads every stored row, whatever its ``seq``, undecoded, and decodes it itself, so a
malformed row is reported (``record N malformed: ...``) instead of stopping the check. It checks
each record's hash by the record's own ``hash_alg`` (``hmac-sha256`` with the database's audit
key, ``sha256`` unkeyed), the ``prev_hash`` links, contiguous positions from 1, the chain head
row against the last record (a missing head row, a row after the head or outside the chain is
reported), and every checkpoint: its signature and that the chain still extends it (a shorter
chain is a truncated tail, another hash at its position a rewritten chain). On PostgreSQL the
check reads one snapshot (REPEATABLE READ), so records appended meanwhile do not confuse it.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from commands.store.audit import StoredRow
from commands.store.chain import (
    GENESIS_HASH,
    KEYED,
    UNKEYED,
    AuditKey,
    Checkpoint,
    format_time,
    record_hash,
)
from commands.store.models import utcnow
from commands.store.session import Database

__all__ = ["VerifyReport", "checkpoint", "verify"]


def _spans(seqs: Iterable[int]) -> list[str]:
    """``[3, 4, 5, 9]`` → ``["records 3-5", "record 9"]``."""
    spans: list[list[int]] = []
    for seq in sorted(seqs):
        if spans and seq == spans[-1][1] + 1:
            spans[-1][1] = seq
        else:
            spans.append([seq, seq])
    return [f"record {a}" if a == b else f"records {a}-{b}" for a, b in spans]


@dataclass
class VerifyReport:
    """What `verify` found. ``ok`` when every record is intact and the chain is complete."""

    checked: int = 0
    last_seq: int = 0
    head: tuple[int, str] = (0, GENESIS_HASH)
    key_id: str | None = None
    keyed: int = 0
    unkeyed: int = 0
    edited: list[int] = field(default_factory=list)
    deleted: list[tuple[int, int]] = field(default_factory=list)
    broken_links: list[int] = field(default_factory=list)
    tail_replaced: bool = False
    head_missing: bool = False
    after_head: list[int] = field(default_factory=list)
    outside: list[int] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    wrong_key: dict[str, list[int]] = field(default_factory=dict)
    needs_key: list[int] = field(default_factory=list)
    downgraded: list[int] = field(default_factory=list)
    checkpoint_problems: list[str] = field(default_factory=list)
    checkpoints_checked: int = 0
    checkpoints_unchecked: int = 0

    @property
    def ok(self) -> bool:
        """True if nothing was edited, deleted, replaced, malformed or unverifiable."""
        return not self.problems()

    def problems(self) -> list[str]:
        """One sentence per problem found (empty when ``ok``)."""
        lines = [f"record {seq} malformed: {what}" for seq, what in self.malformed]
        lines += [
            f"{s} {'were' if s.startswith('records') else 'was'} edited (its hash does not match)"
            for s in _spans(self.edited)
        ]
        for first, last in self.deleted:
            what = f"record {first}" if first == last else f"records {first}-{last}"
            lines.append(f"{what} deleted (missing from the chain)")
        lines += [
            f"record {seq} does not link to record {seq - 1} (one of them was replaced)"
            for seq in self.broken_links
        ]
        if self.tail_replaced:
            lines.append(f"record {self.last_seq} does not match the chain head (replaced)")
        if self.head_missing:
            lines.append("the chain head row (audit_chain_head) is missing (deleted)")
        lines += [
            f"{s} after the chain head (added outside the chain)" for s in _spans(self.after_head)
        ]
        lines += [f"{s} outside the chain (positions start at 1)" for s in _spans(self.outside)]
        for other, seqs in self.wrong_key.items():
            lines += [
                f"{s} hashed with another key (id {other}; the configured key is {self.key_id}):"
                " wrong DWSBOT_AUDIT_KEY?"
                for s in _spans(seqs)
            ]
        lines += [
            f"{s} keyed (hmac-sha256) but no audit key is configured: cannot be verified"
            for s in _spans(self.needs_key)
        ]
        lines += [
            f"{s} unkeyed after keyed records (rewritten without the key)"
            for s in _spans(self.downgraded)
        ]
        return lines + self.checkpoint_problems

    def notes(self) -> list[str]:
        """Remarks that are not problems (unkeyed records, checkpoints that were not checked)."""
        notes = []
        if self.unkeyed:
            notes.append(
                f"{self.unkeyed} record(s) are unkeyed (sha256): they catch accidental edits, "
                "not a database admin who recomputes them (see docs/audit.md)"
            )
        if self.checkpoints_unchecked:
            notes.append(
                f"{self.checkpoints_unchecked} stored checkpoint(s) not checked: no audit key"
            )
        return notes

    def summary(self) -> str:
        """One line: the verdict and how many records (and checkpoints) were checked."""
        extra = f", {self.checkpoints_checked} checkpoint(s) extended" * bool(
            self.checkpoints_checked
        )
        if self.ok:
            return f"audit chain intact: {self.checked} records verified{extra}"
        return f"audit chain BROKEN: {len(self.problems())} problem(s) in {self.checked} records"


@dataclass
class _Walk:
    """The state of one pass over the rows."""

    report: VerifyReport
    key: AuditKey | None
    has_head: bool
    wanted: set[int]
    expected: int = 1
    prev_hash: str = GENESIS_HASH
    seen_keyed: bool = False
    hashes: dict[int, str] = field(default_factory=dict)

    def row(self, stored: StoredRow) -> None:
        raw, values, problem = stored.raw, stored.values, stored.problem
        report, seq = self.report, int(raw["seq"])
        if seq < 1:
            report.outside.append(seq)
            return
        if self.has_head and seq > report.head[0]:
            report.after_head.append(seq)
            return
        report.checked += 1
        if problem is not None:
            report.malformed.append((seq, problem))
        else:
            self._check_hash(seq, values)
        if seq != self.expected:
            report.deleted.append((self.expected, seq - 1))
        elif raw["prev_hash"] != self.prev_hash:
            report.broken_links.append(seq)
        self.expected, self.prev_hash = seq + 1, str(raw["hash"])
        if seq in self.wanted:
            self.hashes[seq] = self.prev_hash

    def _check_hash(self, seq: int, values: Mapping[str, Any]) -> None:
        report, alg = self.report, values["hash_alg"]
        if alg == UNKEYED:
            report.unkeyed += 1
            if not hmac.compare_digest(record_hash(values), values["hash"]):
                report.edited.append(seq)
            elif self.seen_keyed:
                report.downgraded.append(seq)
        elif alg == KEYED:
            self.seen_keyed = True
            report.keyed += 1
            if self.key is None:
                report.needs_key.append(seq)
            elif values["key_id"] != self.key.id:
                report.wrong_key.setdefault(str(values["key_id"]), []).append(seq)
            elif not hmac.compare_digest(record_hash(values, self.key), values["hash"]):
                report.edited.append(seq)
        else:
            report.malformed.append((seq, "its hash_alg is neither sha256 nor hmac-sha256"))


def _stored(lines: Sequence[tuple[int, str]], report: VerifyReport) -> list[Checkpoint]:
    found = []
    for ident, line in lines:
        try:
            found.append(Checkpoint.parse(line))
        except ValueError:
            report.checkpoint_problems.append(f"stored checkpoint {ident} malformed")
    return found


def _check_checkpoint(cp: Checkpoint, walk: _Walk) -> None:
    report, key = walk.report, walk.key
    assert key is not None
    when = f"checkpoint of record {cp.seq} at {format_time(cp.at)}"
    if cp.key_id != key.id:
        report.checkpoint_problems.append(f"{when} was signed with another key (id {cp.key_id})")
    elif not cp.signed_by(key):
        report.checkpoint_problems.append(f"{when}: its signature does not verify (forged)")
    elif cp.seq > report.last_seq:
        report.checkpoint_problems.append(
            f"{when}: the chain now ends at record {report.last_seq}, so records "
            f"{report.last_seq + 1}-{cp.seq} were removed (truncated tail)"
        )
    elif walk.hashes.get(cp.seq, GENESIS_HASH if cp.seq == 0 else None) != cp.head:
        report.checkpoint_problems.append(
            f"{when}: record {cp.seq} no longer has the hash it had (the chain was rewritten)"
        )
    else:
        report.checkpoints_checked += 1


async def verify(db: Database, checkpoints: Sequence[Checkpoint] = ()) -> VerifyReport:
    """Check every stored record, the head and every checkpoint (stored ones and ``checkpoints``).

    Checkpoints need the audit key (``db.audit_key``); without it stored ones are skipped (a
    note says so) and given ones are refused with ValueError.
    """
    key = db.audit_key
    if checkpoints and key is None:
        raise ValueError("checking a checkpoint needs the audit key (DWSBOT_AUDIT_KEY)")
    report = VerifyReport(key_id=key.id if key else None)
    async with db.unit_of_work(readonly=True) as uow:
        await uow.audit.one_snapshot()
        has_head = await uow.audit.has_head()
        report.head = await uow.audit.head()
        report.head_missing = not has_head
        stored = _stored(await uow.audit.checkpoints(), report)
        if key is None:
            report.checkpoints_unchecked, stored = len(stored), []
        every = [*stored, *checkpoints]
        walk = _Walk(report, key, has_head, {cp.seq for cp in every})
        async for row in uow.audit.raw_rows():
            walk.row(row)
    _finish(walk)
    for cp in every:
        _check_checkpoint(cp, walk)
    return report


def _finish(walk: _Walk) -> None:
    report = walk.report
    report.last_seq = walk.expected - 1
    if not walk.has_head:
        return
    head_seq, head_hash = report.head
    if report.last_seq < head_seq:
        report.deleted.append((report.last_seq + 1, head_seq))
    elif head_seq and walk.prev_hash != head_hash:
        report.tail_replaced = True


async def checkpoint(
    db: Database, at: datetime | None = None
) -> tuple[Checkpoint | None, VerifyReport]:
    """Verify the chain, then sign and store a checkpoint of the verified head.

    Returns (None, report) when the chain is broken: a broken chain is never signed. ValueError
    when the database has no audit key.
    """
    key = db.audit_key
    if key is None:
        raise ValueError("a checkpoint is signed with the audit key: set DWSBOT_AUDIT_KEY")
    report = await verify(db)
    if not report.ok:
        return None, report
    seq, head = report.head
    signed = Checkpoint.sign(key, seq, head, at or utcnow())
    async with db.unit_of_work() as uow:
        await uow.audit.add_checkpoint(signed.line())
    return signed, report
