"""The one way to write the audit trail: who read, exported or changed which record, and when.

Rows are only ever added, in the same transaction as the change they describe. The trail
is never used for statistics about staff.
"""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

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
    #: Short machine-readable details (changed field names, a username tried); no free text.
    detail: Mapped[str] = mapped_column(String(500), default="")


def record(
    action: AuditAction,
    entity_type: str,
    entity_id: int | None,
    *,
    user_id: int | None,
    youth_id: int | None = None,
    detail: str = "",
) -> AuditEvent:
    """Add an audit row to the current transaction."""
    event = AuditEvent(
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        user_id=user_id,
        youth_id=youth_id,
        detail=detail[:500],
    )
    db.session.add(event)
    return event
