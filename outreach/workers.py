"""When the background workers last ran: the first-contact clock (`flask handoffs tick`, from
a timer every minute) and the mail worker (`flask notifications send --loop`). Each round
writes its time here, so `flask ops check` and the metrics can tell a worker that stopped."""

from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from outreach.clock import UTCDateTime, now
from outreach.extensions import db, upsert_insert

CLOCK, MAIL = "clock", "mail"


class WorkerBeat(db.Model):
    """A worker's last round."""

    #: The worker: "clock" or "mail".
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime())


def beat(name: str) -> None:
    """The worker finished a round now (one statement; the worker commits it)."""
    at = now()
    statement = upsert_insert(WorkerBeat.__table__).values(name=name, last_run_at=at)
    db.session.execute(
        statement.on_conflict_do_update(index_elements=["name"], set_={"last_run_at": at})
    )


def last_runs() -> dict[str, datetime]:
    """Each worker's last round, by name (a worker that never ran is missing)."""
    return dict(db.session.execute(select(WorkerBeat.name, WorkerBeat.last_run_at)).all())
