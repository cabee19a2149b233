"""What readiness means: the database answers, its schema is the code's, mail is moving."""

from datetime import timedelta
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from outreach import config as settings
from outreach.clock import now
from outreach.extensions import db
from outreach.notifications.models import OutboxMail

#: Mail that has been due this long without being taken means no worker is delivering.
OUTBOX_STUCK_AFTER = timedelta(minutes=15)


@cache
def code_heads() -> frozenset[str]:
    """The migrations this code expects the database to be at."""
    return frozenset(ScriptDirectory(str(settings.ROOT / "migrations")).get_heads())


def database_heads() -> frozenset[str]:
    """The migrations the database is at."""
    connection = db.session.connection()
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def outbox_stuck() -> bool:
    """Some mail has waited for delivery longer than any retry would make it wait."""
    oldest_due = db.session.scalar(
        select(func.min(OutboxMail.next_attempt_at)).where(
            OutboxMail.sent_at.is_(None), OutboxMail.dead_at.is_(None)
        )
    )
    return oldest_due is not None and oldest_due < now() - OUTBOX_STUCK_AFTER


def readiness() -> dict[str, bool]:
    """Each check by name, True when it holds. The database must answer for the others."""
    db.session.execute(text("SELECT 1"))
    return {
        "database": True,
        "migrations": database_heads() == code_heads(),
        "outbox": not outbox_stuck(),
    }
