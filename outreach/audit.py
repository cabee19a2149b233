"""The one way to write the audit trail: who read, exported or changed which record, and when.

Rows are only ever added, in the same transaction as the change they describe, and never
changed: the database refuses UPDATE and DELETE on them (triggers set up by migration 0009),
and a row that names a youth of another kommun than its own, or a user who does not work for
its kommun (0023). Each row carries the hash of the row before it, so `flask audit verify`
finds a row that was altered, deleted or inserted out of order (audit_verify.py). Someone who
can rewrite the whole table and its head could recompute every hash; note the head that the
command prints now and then somewhere else (`flask audit verify --expect SEQ:HASH` checks it
is still there).

record() keeps a row aside until the transaction commits; at commit the pending rows get the
next places in the chain under a lock on the chain's head row, so the chain is written in
commit order and the lock is held only for the commit itself. The old and new values of a
change are encrypted (crypto.py) before they are hashed, so the hash gives nothing away.

The trail is never used for statistics about staff.
"""

import enum
import hashlib
import json
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, event, insert, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from outreach.clock import UTCDateTime, now
from outreach.crypto import decrypt_for_subject, encrypt_for_subject, keys
from outreach.extensions import db, enum_type

#: The hash the first row of the chain follows.
GENESIS = "0" * 64


class AuditAction(enum.StrEnum):
    READ = "read"
    CREATE = "create"
    CORRECT = "correct"
    UPDATE = "update"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    LIST = "list"
    EXPORT = "export"
    PRINT = "print"
    GRANT = "grant"
    REVOKE = "revoke"


#: What counts as an access to a record (what the loggkontroll reviews): kept when the
#: request that made it fails, since what it showed was seen.
ACCESSES = (AuditAction.READ, AuditAction.LIST, AuditAction.EXPORT, AuditAction.PRINT)


class AuditEvent(db.Model):
    """One access to, or change of, a record: one link of the hash chain."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The row's place in the chain: 1, 2, 3 … in the order the rows were committed.
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)
    #: None for events without a logged-in user (failed logins).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[AuditAction] = mapped_column(enum_type(AuditAction, 20))
    #: The kind of record: "youth", "identified_contact", "user" …
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    #: The youth the event concerns, so a youth's access history is one indexed lookup.
    youth_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: The kommun whose record or member the event concerns: the youth's kommun when it
    #: names a youth (the database refuses another), otherwise the kommun the user acted for.
    #: None for the deployment's own events (the operator's, a login by an unknown name).
    kommun_id: Mapped[int | None] = mapped_column(ForeignKey("kommun.id"))
    #: Short machine-readable details (what kind of read, which entry is corrected).
    detail: Mapped[str] = mapped_column(String(500), default="")
    #: For changes of identified records: {"field": [old, new], …} as JSON, encrypted
    #: (read it through `changed`).
    changes: Mapped[str | None] = mapped_column(Text)
    #: The row_hash of the row before this one in the chain (GENESIS for the first).
    prev_hash: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of prev_hash and this row's content (row_hash()).
    row_hash: Mapped[str] = mapped_column(String(64))

    user = relationship("User", lazy="joined")

    @property
    def changed(self) -> dict[str, list] | None:
        """The old and new values of a change, decrypted; None when there are none, or when
        the youth was deleted and its key with it."""
        if not self.changes:
            return None
        if self.youth_id:
            text = decrypt_for_subject(self.youth_id, self.changes)
            return json.loads(text) if text is not None else None
        return json.loads(keys().decrypt(self.changes))


class AuditChain(db.Model):
    """The head of the hash chain: one row, locked while pending rows join the chain."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The seq of the last row in the chain.
    seq: Mapped[int] = mapped_column(Integer, default=0)
    #: The row_hash of the last row in the chain.
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    #: The first row whose hash covers its kommun. The rows before it were written before
    #: there were kommuner and were given theirs by migration 0023, which wrote this row to
    #: vouch for them: its detail is the digest of their kommuner (kommun_digest()).
    kommun_from_seq: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


HEAD_ID = 1
#: The head's table: the chain is written with plain statements (no ORM bookkeeping) while
#: its lock is held.
_HEAD = AuditChain.__table__


def row_hash(row, *, with_kommun: bool = True) -> str:
    """The hash of one row: its place, the hash it follows and everything it says
    (`with_kommun=False`: as rows were hashed before there were kommuner)."""
    content = [
        row.seq,
        row.prev_hash,
        row.occurred_at.isoformat(),
        row.user_id,
        str(row.action),
        row.entity_type,
        row.entity_id,
        row.youth_id,
        row.detail,
        row.changes,
    ]
    if with_kommun:
        content.append(row.kommun_id)
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    action: AuditAction,
    entity_type: str,
    entity_id: int | None,
    *,
    user_id: int | None,
    kommun_id: int | None,
    youth_id: int | None = None,
    detail: str = "",
    changes: dict[str, tuple] | None = None,
) -> AuditEvent:
    """Add an audit row to the current transaction; it is written when the transaction
    commits, and not at all if it rolls back. `kommun_id` is the kommun of the youth named,
    else the one the user acts for; None only for the deployment's own events."""
    row = AuditEvent(
        occurred_at=now(),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        user_id=user_id,
        kommun_id=kommun_id,
        youth_id=youth_id,
        detail=detail[:500],
        changes=_encrypted(changes, youth_id) if changes else None,
    )
    db.session.connection()  # begins the transaction the row belongs to, if none has begun
    db.session.info.setdefault(_PENDING, []).append(row)
    return row


def _encrypted(changes: dict, youth_id: int | None) -> str:
    """The changes as an encrypted token: under the youth's own key when they concern a youth
    (deleted with the youth, crypto.SubjectKey), the field key otherwise."""
    text = json.dumps(changes, ensure_ascii=False, default=str)
    return encrypt_for_subject(youth_id, text) if youth_id else keys().encrypt(text)


def apply_changes(record, values: dict) -> dict[str, tuple]:
    """Set the values on a record; returns {field: (old, new)} of those that changed, the
    `changes` an UPDATE row keeps."""
    changed = {
        key: (getattr(record, key, None), value)
        for key, value in values.items()
        if getattr(record, key, None) != value
    }
    for key, value in values.items():
        setattr(record, key, value)
    return changed


def record_about(
    action: AuditAction,
    entity_type: str,
    about,
    *,
    user_id: int | None,
    detail: str = "",
    changes: dict[str, tuple] | None = None,
) -> AuditEvent:
    """Add a row about a record of a youth's (a handoff, a report …: it has `youth_id` and
    `kommun_id`)."""
    return record(
        action,
        entity_type,
        about.id,
        user_id=user_id,
        kommun_id=about.kommun_id,
        youth_id=about.youth_id,
        detail=detail,
        changes=changes,
    )


def record_youths(
    action: AuditAction, youth_ids, *, user_id: int, kommun_id: int, detail: str
) -> None:
    """Add a row for each youth a list, page or export of the kommun showed the user."""
    for youth_id in youth_ids:
        record(
            action,
            "youth",
            youth_id,
            user_id=user_id,
            kommun_id=kommun_id,
            youth_id=youth_id,
            detail=detail,
        )


_PENDING = "audit_pending"
#: The rows a commit under way has put in the chain, until it has committed: a commit that
#: fails leaves them waiting, like the pending ones (transaction.abandon keeps the reads).
_CHAINED = "audit_chained"


def has_pending() -> bool:
    """Rows wait for the transaction to commit."""
    return bool(db.session.info.get(_PENDING))


def pending(actions) -> list[AuditEvent]:
    """The rows of these actions waiting for the transaction to commit."""
    waiting = [*db.session.info.get(_CHAINED, []), *db.session.info.get(_PENDING, [])]
    return [row for row in waiting if row.action in actions]


def add_pending(rows: list[AuditEvent]) -> None:
    """Put rows that a rolled-back transaction held into the current one (transaction.abandon
    keeps the accesses of a failed request so)."""
    if rows:
        db.session.connection()
        db.session.info.setdefault(_PENDING, []).extend(rows)


@event.listens_for(Session, "before_commit")
def _chain_pending_rows(session: Session) -> None:
    """At commit: give the pending rows the next places in the chain and add them.

    The UPDATE of the head row takes its lock (a row lock on PostgreSQL, the write lock on
    SQLite) and returns the head as it is once the lock is held, so two transactions never
    follow the same row.
    """
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.info[_CHAINED] = pending
    # The transaction's own changes first: it then holds every row lock it needs before it
    # waits for the head, and never waits for a row while holding the head (no deadlock).
    session.flush()
    head = session.execute(
        update(_HEAD)
        .where(_HEAD.c.id == HEAD_ID)
        .values(seq=_HEAD.c.seq + len(pending))
        .returning(_HEAD.c.seq, _HEAD.c.last_hash)
    ).one()
    seq, previous = head.seq - len(pending), head.last_hash
    for row in pending:
        seq += 1
        row.seq, row.prev_hash = seq, previous
        row.row_hash = previous = row_hash(row)
    session.execute(update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(last_hash=previous))
    # One multi-row INSERT: the head's lock is held for as short a time as can be.
    session.execute(insert(AuditEvent.__table__), [_values(row) for row in pending])


_COLUMNS = [column.key for column in AuditEvent.__table__.columns if column.key != "id"]


def _values(row: AuditEvent) -> dict:
    return {key: getattr(row, key) for key in _COLUMNS}


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending_rows(session: Session, previous_transaction) -> None:
    """A rolled-back transaction writes no audit rows (its change did not happen either)."""
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_CHAINED, None)


@event.listens_for(Session, "after_commit")
def _chained_rows_written(session: Session) -> None:
    session.info.pop(_CHAINED, None)
