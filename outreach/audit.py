"""The one way to write the audit trail: who read, exported or changed which record, and when.

Rows are only ever added, in the same transaction as the change they describe. The trail
is never used for statistics about staff.
"""

import enum
import json
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.clock import UTCDateTime, now
from outreach.extensions import db, enum_type


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


class AuditEvent(db.Model):
    """One access to, or change of, a record."""

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)
    #: None for events without a logged-in user (failed logins).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[AuditAction] = mapped_column(enum_type(AuditAction, 20))
    #: The kind of record: "youth", "identified_contact", "user" …
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    #: The youth the event concerns, so a youth's access history is one indexed lookup.
    youth_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: Short machine-readable details (what kind of read, which entry is corrected).
    detail: Mapped[str] = mapped_column(String(500), default="")
    #: For changes of identified records: {"field": [old, new], …} as JSON.
    changes: Mapped[str | None] = mapped_column(Text)

    user = relationship("User", lazy="joined")


def record(
    action: AuditAction,
    entity_type: str,
    entity_id: int | None,
    *,
    user_id: int | None,
    youth_id: int | None = None,
    detail: str = "",
    changes: dict[str, tuple] | None = None,
) -> AuditEvent:
    """Add an audit row to the current transaction."""
    event = AuditEvent(
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        user_id=user_id,
        youth_id=youth_id,
        detail=detail[:500],
        changes=json.dumps(changes, ensure_ascii=False, default=str) if changes else None,
    )
    db.session.add(event)
    return event


def record_youths(action: AuditAction, youth_ids, *, user_id: int, detail: str) -> None:
    """Add a row for each youth a list, page or export showed the user."""
    for youth_id in youth_ids:
        record(action, "youth", youth_id, user_id=user_id, youth_id=youth_id, detail=detail)
