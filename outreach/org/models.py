"""Kommuner, their teams and receiving units, areas and places.

The kommun is the outer boundary: every row that holds data of a kommun carries its
`kommun_id`, and refers to the rows it names through composite foreign keys that include it
(`(team_id, kommun_id)` → `team (id, kommun_id)` …), so that the database itself refuses a row
that points into another kommun. `kommun_key()` and `in_kommun()` write those keys.
"""

import enum
from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.clock import UTCDateTime, now
from outreach.extensions import db, enum_type
from outreach.vocabulary import Recipient


def in_kommun(table: str) -> UniqueConstraint:
    """The key other rows of the kommun refer to: (id, kommun_id)."""
    return UniqueConstraint("id", "kommun_id", name=f"uq_{table}_id_kommun_id")


def kommun_key(
    table: str, column: str, target: str, *, ondelete: str | None = None, deferred: bool = False
) -> ForeignKeyConstraint:
    """A foreign key from (column, kommun_id) to the target's (id, kommun_id): the row named
    must be of the same kommun. `deferred` checks it at commit (a user's memberships are
    written in no fixed order)."""
    target_table, _dot, target_column = target.partition(".")
    return ForeignKeyConstraint(
        [column, "kommun_id"],
        [f"{target_table}.{target_column or 'id'}", f"{target_table}.kommun_id"],
        name=f"fk_{table}_{column}_kommun",
        ondelete=ondelete,
        deferrable=deferred or None,
        initially="DEFERRED" if deferred else None,
    )


class InKommun:
    """A row of a kommun that belongs to it through a record it names (a youth through its
    team, a contact through its shift): `kommun_id`, when not given, is taken from there as
    the row is inserted."""

    #: The relationship to that record, and the foreign key column behind it.
    kommun_of: ClassVar[tuple[str, str]]


@event.listens_for(InKommun, "before_insert", propagate=True)
def _fill_in_kommun(_mapper, connection, row) -> None:
    # Here the record named has been inserted before the row, and its key copied to the row.
    if row.kommun_id is not None:
        return
    relation, column = row.kommun_of
    parent = row.__dict__.get(relation)
    if parent is not None and parent.kommun_id is not None:
        row.kommun_id = parent.kommun_id
        return
    parent_class = type(row).__mapper__.relationships[relation].mapper.class_
    row.kommun_id = connection.execute(
        select(parent_class.kommun_id).where(parent_class.id == getattr(row, column))
    ).scalar()


class Kommun(db.Model):
    """A municipality: its own authority and data controller, the outer boundary of all data."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: The four-digit kommunkod of SCB (1280 Malmö, 0127 Botkyrka).
    code: Mapped[str] = mapped_column(String(4), unique=True)
    #: Years without activity before an identified youth is deleted (gallring); None: the
    #: deployment's default (OUTREACH_RETENTION_YEARS).
    retention_years: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    def __repr__(self) -> str:
        return f"<Kommun {self.name}>"


#: Who works for which kommun (most users for one; a shared team's members for two).
kommun_member = Table(
    "kommun_member",
    db.metadata,
    Column("user_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("kommun_id", Integer, ForeignKey("kommun.id", ondelete="CASCADE"), primary_key=True),
)


class TeamKind(enum.StrEnum):
    FIELD = "field"
    #: The receiving units (a handoff goes to one of them).
    VPC = "vpc"
    EXIT = "exit"
    SSPF = "sspf"
    INTAKE = "intake"
    OTHER_UNIT = "other"

    @property
    def receives_handoffs(self) -> bool:
        return self != TeamKind.FIELD


RECEIVING_KINDS = [kind for kind in TeamKind if kind.receives_handoffs]
#: The consent category of each kind of unit, unless its admin chose another.
UNIT_RECIPIENT = {
    TeamKind.VPC: Recipient.VPC,
    TeamKind.EXIT: Recipient.EXIT,
    TeamKind.SSPF: Recipient.SSPF,
    TeamKind.INTAKE: Recipient.SOCIAL_SERVICES,
    TeamKind.OTHER_UNIT: Recipient.OTHER,
}


class PlaceKind(enum.StrEnum):
    SQUARE = "square"
    SCHOOL = "school"
    YOUTH_CENTRE = "youth_centre"
    STATION = "station"
    MALL = "mall"
    PARK = "park"
    OTHER = "other"


class Team(db.Model):
    """A field team (Fältgruppen Norr …) or a receiving unit of the kommun (VPC, the
    avhopparteam, SSPF, the intake unit …)."""

    __table_args__ = (UniqueConstraint("kommun_id", "name"), in_kommun("team"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[TeamKind] = mapped_column(enum_type(TeamKind, 10))
    #: A receiving unit: the consent category that must cover sharing with it (or a recorded
    #: legal basis), and its first-contact times in hours (None: the deployment's defaults).
    recipient: Mapped[Recipient | None] = mapped_column(enum_type(Recipient, 10))
    first_contact_hours: Mapped[int | None] = mapped_column(SmallInteger)
    urgent_first_contact_hours: Mapped[int | None] = mapped_column(SmallInteger)

    #: Loaded when asked for (from the session's identity map, where the user's kommun already
    #: is): joined to every team, it made the joins of a list of markings too many to plan.
    kommun: Mapped[Kommun] = relationship()

    @property
    def receives_handoffs(self) -> bool:
        return self.kind.receives_handoffs

    @property
    def takes_reports(self) -> bool:
        """An intake unit: reports of concern are delivered to it."""
        return self.kind == TeamKind.INTAKE

    @property
    def consent_category(self) -> Recipient | None:
        """Whom a consent must cover for a handoff to this unit (None: not a unit)."""
        return self.recipient or UNIT_RECIPIENT.get(self.kind)

    def hours_to_first_contact(self, urgent: bool, default: int) -> int:
        """The unit's first-contact time in hours (the deployment's default unless set)."""
        own = self.urgent_first_contact_hours if urgent else self.first_contact_hours
        return own or default

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class Area(db.Model):
    """A district that field teams walk (Område)."""

    __table_args__ = (UniqueConstraint("kommun_id", "name"), in_kommun("area"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kommun: Mapped[Kommun] = relationship()
    #: Loaded when asked for (an area comes with many a contact and shift; its places seldom).
    places: Mapped[list["Place"]] = relationship(
        back_populates="area", order_by="Place.name", foreign_keys="Place.area_id"
    )


class Place(InKommun, db.Model):
    """A place within an area where youths gather (Plats)."""

    kommun_of = ("area", "area_id")

    __table_args__ = (
        UniqueConstraint("area_id", "name"),
        kommun_key("place", "area_id", "area"),
        in_kommun("place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[PlaceKind] = mapped_column(enum_type(PlaceKind, 20))
    area: Mapped[Area] = relationship(back_populates="places", foreign_keys=[area_id])
