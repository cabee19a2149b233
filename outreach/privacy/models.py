"""Legal holds, data-subject access requests, retention runs and access-log reviews."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.auth.models import User
from outreach.clock import UTCDateTime, now
from outreach.extensions import db, enum_type
from outreach.ids import public_id_column
from outreach.org.models import Team
from outreach.vocabulary import Requester
from outreach.youths.models import Youth


class LegalHold(db.Model):
    """A team lead's decision that a youth's record must be kept past its retention time
    (a court case, an ongoing investigation), with the reason. Lifted, it is kept as history."""

    id: Mapped[int] = mapped_column(primary_key=True)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    set_by: Mapped[User] = relationship(foreign_keys=[set_by_id], lazy="joined")
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id], lazy="joined")

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class AccessRequest(db.Model):
    """A data-subject access request (registerutdrag): received, due a month later,
    delivered."""

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[Requester] = mapped_column(enum_type(Requester, 20))
    received_on: Mapped[date] = mapped_column(Date)
    #: One calendar month after it was received (the last day of a shorter month).
    due_on: Mapped[date] = mapped_column(Date, index=True)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    #: When an extract was last produced for it.
    produced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_on: Mapped[date | None] = mapped_column(Date)
    #: How it was delivered (handed over in person, sent by registered post …); no names.
    delivery_note: Mapped[str] = mapped_column(Text, default="")
    delivered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    youth: Mapped[Youth] = relationship(lazy="joined")
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id], lazy="joined")
    delivered_by: Mapped[User | None] = relationship(foreign_keys=[delivered_by_id], lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.delivered_on is None


class RetentionRun(db.Model):
    """One applied retention run in a kommun: what it deleted, counted; never who."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"), index=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    #: The day the run judged retention by (today, unless rehearsed for another day).
    as_of: Mapped[date] = mapped_column(Date)
    #: None when run from the command line.
    ran_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    youths_deleted: Mapped[int] = mapped_column(Integer, default=0)
    youths_archived: Mapped[int] = mapped_column(Integer, default=0)
    youths_held: Mapped[int] = mapped_column(Integer, default=0)
    notes_cleared: Mapped[int] = mapped_column(Integer, default=0)
    #: {"table": rows deleted, …} as JSON.
    counts: Mapped[str] = mapped_column(Text, default="{}")
    #: The archive file written before the deletion, and its SHA-256.
    archive_file: Mapped[str] = mapped_column(String(200), default="")
    archive_sha256: Mapped[str] = mapped_column(String(64), default="")

    ran_by: Mapped[User | None] = relationship(lazy="joined")


class AccessReview(db.Model):
    """A team lead's review of who read the team's youths over a period (loggkontroll)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    #: How many accesses the period held, and how many of them were flagged, when reviewed.
    accesses: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[str] = mapped_column(Text)
    follow_up: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now, index=True)

    team: Mapped[Team] = relationship(lazy="joined")
    reviewed_by: Mapped[User] = relationship(lazy="joined")
