"""The audit trail: append-only in the database, a hash chain that `flask audit verify` checks,
and every kind of tampering found."""

import threading
from datetime import timedelta
from itertools import pairwise

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DatabaseError

from outreach import audit, audit_verify
from outreach.audit import AuditAction, AuditChain, AuditEvent
from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Team
from tests import factories
from tests.conftest import append_only_suspended


def _write_rows(count: int) -> None:
    for number in range(count):
        audit.record(
            AuditAction.READ, "youth", number, user_id=None, kommun_id=None, detail=f"row {number}"
        )
    db.session.commit()


@pytest.fixture
def chain(ctx):
    """Six rows in the chain, written over three commits."""
    _write_rows(2)
    _write_rows(1)
    audit.record(
        AuditAction.UPDATE, "youth", 9, user_id=None, kommun_id=None, changes={"name": ("A", "B")}
    )
    _write_rows(2)
    return db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def test_rows_join_the_chain_in_commit_order(chain):
    rows = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[0].prev_hash == audit.GENESIS
    assert all(later.prev_hash == earlier.row_hash for earlier, later in pairwise(rows))
    head = db.session.get(AuditChain, audit.HEAD_ID)
    assert (head.seq, head.last_hash) == (6, rows[-1].row_hash)
    assert audit_verify.verify().intact


def test_the_values_of_a_change_are_encrypted_and_read_back(chain):
    row = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE)
    ).scalar_one()
    assert row.changes.startswith("gAAAAA") and "name" not in row.changes  # a Fernet token
    assert row.changed == {"name": ["A", "B"]}


def test_a_rolled_back_transaction_writes_no_audit_rows(ctx):
    audit.record(AuditAction.READ, "youth", 1, user_id=None, kommun_id=None)
    db.session.rollback()
    db.session.commit()
    assert db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET detail = 'changed'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(chain, statement):
    if statement.startswith("TRUNCATE") and db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    assert audit_verify.verify().intact


def _tamper(statement, **params) -> None:
    with append_only_suspended():
        db.session.execute(text(statement), params)


def _rehash(seq: int) -> None:
    """What an attacker who knows the algorithm does after altering a row."""
    row = db.session.execute(select(AuditEvent).where(AuditEvent.seq == seq)).scalar_one()
    _tamper("UPDATE audit_event SET row_hash = :h WHERE seq = :s", h=audit.row_hash(row), s=seq)


def _forge(seq: int, prev_hash: str, row_id: int | None = None) -> str:
    """Insert a well-formed row at `seq` following `prev_hash`; returns its hash."""
    row = AuditEvent(
        seq=seq,
        prev_hash=prev_hash,
        occurred_at=audit.now() - timedelta(days=1),
        user_id=None,
        action=AuditAction.READ,
        entity_type="youth",
        entity_id=1,
        youth_id=None,
        kommun_id=None,
        detail="forged",
        changes=None,
    )
    row.row_hash = audit.row_hash(row)
    values = {c.name: getattr(row, c.key) for c in AuditEvent.__table__.columns if c.key != "id"}
    if row_id is not None:
        values["id"] = row_id
    with append_only_suspended():
        db.session.execute(insert(AuditEvent).values(**values))
    return row.row_hash


def _hash_of(seq: int) -> str:
    return db.session.execute(select(AuditEvent.row_hash).where(AuditEvent.seq == seq)).scalar()


TAMPERING = {
    "detail altered": (lambda: _tamper("UPDATE audit_event SET detail = 'x' WHERE seq = 3"), 3),
    "user altered": (
        lambda: _tamper("UPDATE audit_event SET user_id = NULL, entity_id = 77 WHERE seq = 2"),
        2,
    ),
    "time altered": (
        lambda: _tamper(
            "UPDATE audit_event SET occurred_at = :t WHERE seq = 5",
            t=audit.now() - timedelta(days=400),
        ),
        5,
    ),
    "encrypted change swapped": (
        lambda: _tamper("UPDATE audit_event SET changes = NULL WHERE seq = 4"),
        4,
    ),
    "altered and rehashed": (
        lambda: (
            _tamper("UPDATE audit_event SET detail = 'x' WHERE seq = 3"),
            _rehash(3),
        ),
        4,
    ),
    "row deleted": (lambda: _tamper("DELETE FROM audit_event WHERE seq = 3"), 3),
    "first row deleted": (lambda: _tamper("DELETE FROM audit_event WHERE seq = 1"), 1),
    "last row deleted": (lambda: _tamper("DELETE FROM audit_event WHERE seq = 6"), 6),
    "rows swapped": (
        lambda: (
            _tamper("UPDATE audit_event SET seq = 100 WHERE seq = 2"),
            _tamper("UPDATE audit_event SET seq = 2 WHERE seq = 3"),
            _tamper("UPDATE audit_event SET seq = 3 WHERE seq = 100"),
        ),
        2,
    ),
    "row inserted at the end": (lambda: _forge(7, _hash_of(6)), 7),
    "row inserted and head moved": (
        lambda: _tamper(
            "UPDATE audit_chain SET seq = 7, last_hash = :h",
            h=_forge(7, _hash_of(6), row_id=0),
        ),
        7,
    ),
    "row inserted in the middle, rest renumbered": (
        lambda: (
            _tamper("UPDATE audit_event SET seq = seq + 100 WHERE seq >= 4"),
            _tamper("UPDATE audit_event SET seq = seq - 99 WHERE seq >= 104"),
            _forge(4, _hash_of(3)),
        ),
        5,
    ),
    "head altered": (lambda: _tamper("UPDATE audit_chain SET last_hash = :h", h="f" * 64), 6),
    "kommun altered": (
        lambda: _tamper(
            "UPDATE audit_event SET kommun_id = :k WHERE seq = 2", k=factories.make_kommun().id
        ),
        2,
    ),
}


@pytest.mark.parametrize("case", TAMPERING)
def test_verify_finds_each_kind_of_tampering(chain, runner, case):
    tamper, first_bad_row = TAMPERING[case]
    assert audit_verify.verify().intact
    tamper()
    db.session.expire_all()
    report = audit_verify.verify()
    assert not report.intact
    assert report.broken_at == first_bad_row, report.problem
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at row {first_bad_row}" in result.output


def test_verify_command_reports_an_intact_chain_and_checks_a_noted_head(chain, runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    head = db.session.get(AuditChain, audit.HEAD_ID)
    assert f"intact: 6 rows; head 6:{head.last_hash}" in result.output
    noted = f"{head.seq}:{head.last_hash}"
    _write_rows(3)
    assert runner.invoke(args=["audit", "verify", "--expect", noted]).exit_code == 0
    # someone rewrote the whole chain from row 6 on, head included: the noted row is gone
    _tamper("UPDATE audit_event SET detail = 'x' WHERE seq = 6")
    for seq in range(6, 10):
        _rehash(seq)
        if seq < 9:
            _tamper(
                "UPDATE audit_event SET prev_hash = :h WHERE seq = :s", h=_hash_of(seq), s=seq + 1
            )
    _tamper("UPDATE audit_chain SET last_hash = :h", h=_hash_of(9))
    db.session.expire_all()
    assert audit_verify.verify().intact  # recomputed throughout: only the noted head tells
    result = runner.invoke(args=["audit", "verify", "--expect", noted])
    assert result.exit_code == 1 and "row 6 is not the row noted earlier" in result.output


def test_concurrent_transactions_never_fork_the_chain(app):
    """Threads commit audit rows at once; on PostgreSQL each in its own connection."""

    def writer():
        with app.app_context():
            for _ in range(10):
                audit.record(AuditAction.READ, "youth", 1, user_id=None, kommun_id=None)
                audit.record(AuditAction.READ, "youth", 2, user_id=None, kommun_id=None)
                db.session.commit()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        report = audit_verify.verify()
        assert report.intact, report.problem
        assert report.rows == 80


@pytest.mark.parametrize("noted", ["abc", "6", "x:" + "f" * 64, "6:short"])
def test_a_malformed_noted_head_is_a_usage_error(chain, runner, noted):
    result = runner.invoke(args=["audit", "verify", "--expect", noted])
    assert result.exit_code == 2 and "SEQ:HASH" in result.output


def test_a_row_of_a_youth_or_a_user_stays_in_their_kommun(world, ctx):
    """The database refuses a row naming a youth of another kommun (or of none), and a row
    in a kommun the user who acted does not work for."""
    worker = db.session.get(User, world.worker_a)
    youth = factories.make_youth(worker, db.session.get(Team, world.team_a), "Kille i keps")
    db.session.commit()
    other = factories.make_kommun("Grannkommun", "0001").id
    db.session.commit()
    rows = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar()
    refused = {
        "the youth's in another kommun": dict(youth_id=youth.id, kommun_id=other),
        "the youth's in none": dict(youth_id=youth.id, kommun_id=None),
        "the user's in a kommun not theirs": dict(user_id=worker.id, kommun_id=other),
    }
    for case, columns in refused.items():
        audit.record(AuditAction.READ, "youth", youth.id, **{"user_id": None, **columns})
        with pytest.raises(DatabaseError, match="belongs to the kommun"):
            db.session.commit()
        db.session.rollback()
        assert db.session.execute(select(func.count()).select_from(AuditEvent)).scalar() == rows, (
            case
        )
    audit.record(
        AuditAction.READ,
        "youth",
        youth.id,
        user_id=worker.id,
        kommun_id=youth.kommun_id,
        youth_id=youth.id,
    )
    db.session.commit()
    assert audit_verify.verify().intact
