"""Verifying the audit trail's hash chain (audit.py writes it): `flask audit verify` finds a
row that was altered, deleted or inserted out of order."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from outreach.audit import GENESIS, HEAD_ID, AuditChain, AuditEvent, row_hash
from outreach.extensions import db


class KommunDigest:
    """The digest of the kommuner that migration 0023 gave the rows written before there
    were kommuner (their hashes do not cover it): the detail of the row it wrote after them,
    whose own hash does."""

    PREFIX = "kommun of the rows before: "

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, seq: int, kommun_id: int | None) -> None:
        self._hash.update(f"{seq}:{'' if kommun_id is None else kommun_id};".encode())

    @property
    def detail(self) -> str:
        return self.PREFIX + self._hash.hexdigest()


@dataclass
class ChainReport:
    """What `flask audit verify` found: rows checked, and the first break if any."""

    rows: int
    head_seq: int
    head_hash: str
    #: The seq of the first row that is not as written (or where rows are missing).
    broken_at: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def _rows_in_chain_order(batch: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(
            db.session.execute(
                select(AuditEvent)
                .where(AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(batch)
                .execution_options(populate_existing=True)
            ).scalars()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(batch: int = 5000) -> ChainReport:
    """Walk the chain from its first row and report the first row that was altered, deleted
    or inserted out of order.

    - a row whose content no longer gives its hash was altered;
    - a gap in seq, or a row that does not follow the hash of the row before it, means rows
      were deleted or inserted there;
    - a row with a lower database id than the row before it was inserted out of order (rows
      join the chain in the order they are inserted);
    - the head must name the last row, or rows at the end were deleted or added outside the
      chain;
    - rows written before there were kommuner are hashed without their kommun, and the row
      after them vouches for the kommuner they were given (KommunDigest).
    """
    head = db.session.get(AuditChain, HEAD_ID)
    head_seq, head_hash = (head.seq, head.last_hash) if head else (0, GENESIS)
    kommun_from = head.kommun_from_seq if head else 1
    older = KommunDigest()
    expected_seq, previous_hash, previous_id, count = 1, GENESIS, 0, 0

    def broken(at: int, problem: str) -> ChainReport:
        return ChainReport(count, head_seq, head_hash, at, problem)

    for row in _rows_in_chain_order(batch):
        count += 1
        if row.seq != expected_seq:
            return broken(expected_seq, f"rows {expected_seq}–{row.seq - 1} are missing")
        if row.prev_hash != previous_hash:
            return broken(
                row.seq,
                "does not follow the row before it (a row was deleted, inserted or altered there)",
            )
        before_kommuner = row.seq < kommun_from
        if row_hash(row, with_kommun=not before_kommuner) != row.row_hash:
            return broken(row.seq, "was altered")
        if row.id < previous_id:
            return broken(row.seq, "was inserted out of order")
        if before_kommuner:
            older.add(row.seq, row.kommun_id)
        elif row.seq == kommun_from > 1 and row.detail != older.detail:
            return broken(row.seq, "the rows before it are not in the kommuner it vouches for")
        expected_seq, previous_hash, previous_id = row.seq + 1, row.row_hash, row.id
    last_seq = expected_seq - 1
    if last_seq < head_seq:
        return broken(expected_seq, f"rows {expected_seq}–{head_seq} are missing")
    if last_seq > head_seq:
        return broken(head_seq + 1, "the chain goes on past its recorded head")
    if previous_hash != head_hash:
        return broken(last_seq, "is not the last row the chain's head recorded")
    if kommun_from > 1 and last_seq < kommun_from:
        return broken(kommun_from, "the row that vouches for the kommuner before it is missing")
    return ChainReport(count, head_seq, head_hash)


@click.group("audit")
def audit_cli():
    """The audit trail."""


def _noted_head(_context, _parameter, value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    seq, _sep, noted_hash = value.partition(":")
    if not seq.isdecimal() or len(noted_hash) != 64:
        raise click.BadParameter("SEQ:HASH, as `flask audit verify` prints it after 'head'")
    return int(seq), noted_hash


@audit_cli.command("verify")
@click.option(
    "--expect",
    metavar="SEQ:HASH",
    callback=_noted_head,
    help="A head noted earlier that must still be in the chain.",
)
@with_appcontext
def verify_command(expect: tuple[int, str] | None):
    """Check the hash chain; exit 1 and name the first row that is not as written."""
    report = verify()
    if not report.intact:
        click.echo(f"BROKEN at row {report.broken_at}: {report.problem} ({report.rows} rows read)")
        raise SystemExit(1)
    if expect:
        seq, expected_hash = expect
        row = db.session.execute(
            select(AuditEvent).where(AuditEvent.seq == seq)
        ).scalar_one_or_none()
        if row is None or row.row_hash != expected_hash:
            click.echo(f"BROKEN: row {seq} is not the row noted earlier ({report.rows} rows read)")
            raise SystemExit(1)
    click.echo(f"intact: {report.rows} rows; head {report.head_seq}:{report.head_hash}")
