"""Shifts and anonymous contacts (tallies without personal data)."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    event,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from outreach.auth.models import User
from outreach.clock import UTCDateTime, local_date, now
from outreach.editing import Versioned
from outreach.extensions import db, enum_type
from outreach.ids import public_id_column
from outreach.org.models import Area, InKommun, Place, Team, in_kommun, kommun_key
from outreach.vocabulary import Action, ReviewStatus, Topic

#: The workers out on a shift, each working for the shift's kommun.
shift_worker = Table(
    "shift_worker",
    db.metadata,
    Column("shift_id", Integer, ForeignKey("shift.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("user.id"), primary_key=True),
    Column("kommun_id", Integer, ForeignKey("kommun.id"), nullable=False),
    kommun_key("shift_worker", "shift_id", "shift", ondelete="CASCADE"),
    kommun_key("shift_worker", "user_id", "kommun_member.user_id"),
)


class LocalDay:
    """Keeps `occurred_on`, the Stockholm calendar day of `occurred_at`, for statistics by day,
    week and month that every database can group without time-zone functions."""

    @validates("occurred_at")
    def _keep_local_day(self, _key, moment: datetime) -> datetime:
        self.occurred_on = local_date(moment)
        return moment


class InTeamShift(InKommun):
    """Keeps `team_id`, the team of the contact's shift (a shift never changes team), set as
    the contact is inserted: a team's contacts are then one index range (the review list, the
    statistics, the exports), not a join through all of the team's shifts. The contact is in
    the shift's kommun."""

    kommun_of = ("shift", "shift_id")

    @classmethod
    def in_shift_keys(cls, table: str) -> tuple:
        """The composite keys of a contact: its shift, team and place are of its kommun."""
        return (
            kommun_key(table, "shift_id", "shift"),
            kommun_key(table, "team_id", "team"),
            kommun_key(table, "place_id", "place"),
        )


@event.listens_for(InTeamShift, "before_insert", propagate=True)
def _keep_team_of_shift(_mapper, connection, contact) -> None:
    if contact.team_id is None:
        shift = contact.__dict__.get("shift")
        contact.team_id = (
            shift.team_id
            if shift is not None
            else connection.execute(
                select(Shift.team_id).where(Shift.id == contact.shift_id)
            ).scalar_one()
        )


class Shift(InKommun, Versioned, db.Model):
    """A fältpass: workers out together in one area for one evening."""

    kommun_of = ("team", "team_id")
    __table_args__ = (
        kommun_key("shift", "team_id", "team"),
        kommun_key("shift", "area_id", "area"),
        in_kommun("shift"),
        # Newest first, with the public id breaking ties: the review list's keyset order.
        Index("ix_shift_started_at_public_id", "started_at", "public_id"),
        # A team's shifts in a period, and the areas it worked in (read from the index alone).
        Index("ix_shift_team_id_started_at", "team_id", "started_at", "area_id"),
        # The few shifts out now (a worker's open shift), among years of ended ones.
        Index(
            "ix_shift_open",
            "id",
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: A short note on the situation in the area; never names.
    situation_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    #: The team lead's review: pending until signed off or returned to the workers.
    review_status: Mapped[ReviewStatus] = mapped_column(
        enum_type(ReviewStatus, 10), default=ReviewStatus.PENDING, index=True
    )

    team: Mapped[Team] = relationship(lazy="joined", foreign_keys=[team_id])
    area: Mapped[Area] = relationship(lazy="joined", foreign_keys=[area_id])
    created_by: Mapped[User] = relationship()
    workers: Mapped[list[User]] = relationship(
        secondary=shift_worker,
        primaryjoin=lambda: and_(
            Shift.id == shift_worker.c.shift_id, Shift.kommun_id == shift_worker.c.kommun_id
        ),
        secondaryjoin=lambda: shift_worker.c.user_id == User.id,
        order_by=User.display_name,
        lazy="selectin",
    )

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class AnonymousContact(LocalDay, InTeamShift, db.Model):
    """A tally of youths met at a place: counts, topics and actions, no personal data."""

    __table_args__ = (
        CheckConstraint("youth_count >= 1", name="youth_count_positive"),
        Index("ix_anonymous_contact_occurred_at_public_id", "occurred_at", "public_id"),
        Index(
            "ix_anonymous_contact_team_id_occurred_at_public_id",
            "team_id",
            "occurred_at",
            "public_id",
        ),
        Index("ix_anonymous_contact_team_id_occurred_on", "team_id", "occurred_on"),
        *InTeamShift.in_shift_keys("anonymous_contact"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"), index=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    #: The shift's team (InTeamShift).
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    youth_count: Mapped[int] = mapped_column(Integer)
    #: Optional free text; refused when it holds anything shaped like a personnummer.
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    #: The one-time token of the form (or of the tablet's queued copy) that logged it: the same
    #: submission arriving again finds this contact instead of logging a second one.
    submission_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    shift: Mapped[Shift] = relationship(foreign_keys=[shift_id])
    place: Mapped[Place] = relationship(lazy="joined", foreign_keys=[place_id])
    created_by: Mapped[User] = relationship(lazy="joined")
    counts: Mapped[list["ContactCount"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    topics: Mapped[list["ContactTopic"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    actions: Mapped[list["ContactAction"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    def count_of(self, category: str) -> int:
        return sum(c.count for c in self.counts if c.category == category)

    @property
    def topic_list(self) -> list[Topic]:
        """The topics in the vocabulary's order."""
        chosen = {t.topic for t in self.topics}
        return [topic for topic in Topic if topic in chosen]

    @property
    def action_list(self) -> list[Action]:
        """The actions in the vocabulary's order."""
        chosen = {a.action for a in self.actions}
        return [action for action in Action if action in chosen]


class ContactCount(db.Model):
    """How many of the youths in an anonymous contact fall in one gender or age band."""

    __table_args__ = (CheckConstraint("count >= 1", name="count_positive"),)

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("anonymous_contact.id", ondelete="CASCADE"), primary_key=True
    )
    #: A Gender or AgeBand code.
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class ContactTopic(db.Model):
    """A topic talked about in an anonymous contact."""

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("anonymous_contact.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[Topic] = mapped_column(enum_type(Topic, 20), primary_key=True)


class ContactAction(db.Model):
    """An action taken in an anonymous contact."""

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("anonymous_contact.id", ondelete="CASCADE"), primary_key=True
    )
    action: Mapped[Action] = mapped_column(enum_type(Action, 20), primary_key=True)
