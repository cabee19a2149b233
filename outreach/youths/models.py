"""Identified youths, their guardians, and the contacts recorded with them."""

import json
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from outreach.auth.models import User
from outreach.clock import UTCDateTime, now
from outreach.crypto import EncryptedText, keys
from outreach.editing import Versioned
from outreach.extensions import db, enum_type
from outreach.ids import public_id_column
from outreach.org.models import Area, InKommun, Place, Team, in_kommun, kommun_key
from outreach.shifts.models import InTeamShift, LocalDay, Shift
from outreach.vocabulary import Gender, LegalBasis

#: The condition of the partial index on corrections.
CORRECTION = "corrects_id IS NOT NULL"


class Youth(InKommun, Versioned, db.Model):
    """A young person the team knows (Ungdom). Pseudonym first: only the alias is required."""

    kommun_of = ("team", "team_id")
    __table_args__ = (
        UniqueConstraint("team_id", "personnummer_lookup"),
        kommun_key("youth", "team_id", "team"),
        kommun_key("youth", "home_area_id", "area"),
        in_kommun("youth"),
        # The youths a user may see (scopes.visible_youths) read from the index alone: at
        # national scale the start page's overdue markings went from 7.3 to 4.3 ms.
        Index("ix_youth_visible", "team_id", "kommun_id", "protected_identity", "id"),
        Index("ix_youth_review_due", "team_id", "kommun_id", "review_due_on"),
        # SQLite would otherwise give a new youth the id of the last one deleted (gallring,
        # a merge), and the access log's rows of the one deleted would seem to be theirs.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"), index=True)
    #: The team that registered the youth; visibility follows its membership.
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    alias: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(120), default="")
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    gender: Mapped[Gender | None] = mapped_column(enum_type(Gender, 10))
    #: Normalised to 12 digits (YYYYMMDDNNNN) by python-stdnum; encrypted at rest, so it can
    #: not be compared in SQL: find it by `personnummer_lookup`.
    personnummer: Mapped[str | None] = mapped_column(EncryptedText())
    #: Keyed hash of the personnummer (crypto.FieldKeys.lookup_hash); unique within a team.
    personnummer_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    home_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    school: Mapped[str] = mapped_column(String(120), default="")
    #: The language an interpreter is needed for; empty when none is needed.
    interpreter_language: Mapped[str] = mapped_column(String(60), default="")
    #: Skyddad identitet: narrows who may see the record and masks it in lists.
    protected_identity: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_basis: Mapped[LegalBasis] = mapped_column(enum_type(LegalBasis, 30))
    #: Lowercase, accent-free alias, name and birth year, for search on every database.
    search_key: Mapped[str] = mapped_column(String(400), default="", index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    #: When the details were last changed (an edit, a merge); activity for gallring.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The review date of the youth's current risk marking (the latest, unless withdrawn or at
    #: level none), kept by risk.services.keep_review_due in the transaction of every change to
    #: the youth's markings: the start page's overdue markings read it from an index.
    review_due_on: Mapped[date | None] = mapped_column(Date)

    team: Mapped[Team] = relationship(lazy="joined", foreign_keys=[team_id])
    home_area: Mapped[Area | None] = relationship(lazy="joined", foreign_keys=[home_area_id])
    created_by: Mapped[User] = relationship()
    #: Loaded when asked for (the youth's own page, forms, extracts), not with every list.
    guardians: Mapped[list["Guardian"]] = relationship(
        back_populates="youth", cascade="all, delete-orphan", order_by="Guardian.position"
    )

    @validates("personnummer")
    def _keep_lookup(self, _key, value: str | None) -> str | None:
        self.personnummer_lookup = keys().lookup_hash(value) if value else None
        return value


class Guardian(db.Model):
    """A vårdnadshavare of a youth (at most two)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), index=True)
    #: 1 or 2: "vårdnadshavare 1" and "vårdnadshavare 2" in consent.
    position: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40), default="")
    youth: Mapped[Youth] = relationship(back_populates="guardians")


#: The youths named in an identified contact, each of the contact's kommun.
identified_contact_youth = Table(
    "identified_contact_youth",
    db.metadata,
    Column(
        "contact_id",
        Integer,
        ForeignKey("identified_contact.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "youth_id",
        Integer,
        ForeignKey("youth.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    Column("kommun_id", Integer, ForeignKey("kommun.id"), nullable=False),
    kommun_key("identified_contact_youth", "contact_id", "identified_contact", ondelete="CASCADE"),
    kommun_key("identified_contact_youth", "youth_id", "youth", ondelete="CASCADE"),
)


class IdentifiedContact(LocalDay, InTeamShift, db.Model):
    """A contact with one or more named youths during a shift.

    Entries are never edited: a correction is a new entry pointing at the one it corrects,
    and both are shown.
    """

    __table_args__ = (
        Index("ix_identified_contact_occurred_at_public_id", "occurred_at", "public_id"),
        Index(
            "ix_identified_contact_team_id_occurred_at_public_id",
            "team_id",
            "occurred_at",
            "public_id",
        ),
        Index("ix_identified_contact_team_id_occurred_on", "team_id", "occurred_on"),
        # Only the corrections: lookups ask for the corrections of given entries. Indexing
        # every entry led SQLite's planner to read a team's list through it and sort it.
        Index(
            "ix_identified_contact_corrects_id",
            "corrects_id",
            postgresql_where=text(CORRECTION),
            sqlite_where=text(CORRECTION),
        ),
        *InTeamShift.in_shift_keys("identified_contact"),
        kommun_key("identified_contact", "corrects_id", "identified_contact"),
        in_kommun("identified_contact"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column()
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"), index=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    #: The shift's team (InTeamShift).
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    #: What was seen and said.
    facts: Mapped[str] = mapped_column(Text)
    #: The worker's own assessment, kept apart from the facts.
    assessment: Mapped[str] = mapped_column(Text, default="")
    #: The entry this one corrects, if it is a correction.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("identified_contact.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    shift: Mapped[Shift] = relationship(lazy="joined", foreign_keys=[shift_id])
    place: Mapped[Place | None] = relationship(lazy="joined", foreign_keys=[place_id])
    author: Mapped[User] = relationship(lazy="joined")
    youths: Mapped[list[Youth]] = relationship(
        secondary=identified_contact_youth,
        primaryjoin=lambda: and_(
            IdentifiedContact.id == identified_contact_youth.c.contact_id,
            IdentifiedContact.kommun_id == identified_contact_youth.c.kommun_id,
        ),
        secondaryjoin=lambda: identified_contact_youth.c.youth_id == Youth.id,
        order_by=Youth.alias,
        lazy="selectin",
    )
    corrects: Mapped["IdentifiedContact | None"] = relationship(
        remote_side=[id], foreign_keys=[corrects_id]
    )


class ProtectedAccess(InKommun, db.Model):
    """Who may see a youth with protected identity (skyddad identitet), granted by a lead of
    the youth's team (or taken by the worker who marked the record protected). A revoked
    grant is kept, with who revoked it and when."""

    kommun_of = ("youth", "youth_id")
    __table_args__ = (
        kommun_key("protected_access", "youth_id", "youth", ondelete="CASCADE"),
        kommun_key("protected_access", "user_id", "kommun_member.user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"))
    youth_id: Mapped[int] = mapped_column(ForeignKey("youth.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    youth: Mapped[Youth] = relationship(foreign_keys=[youth_id])
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    granted_by: Mapped[User] = relationship(foreign_keys=[granted_by_id], lazy="joined")

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def active_for(cls, youth_id, user_id):
        """The condition for a grant in force for this youth and user (columns or values)."""
        return and_(cls.youth_id == youth_id, cls.user_id == user_id, cls.revoked_at.is_(None))


class YouthMerge(db.Model):
    """Two records found to be the same youth, merged into one by a team lead: everything of
    the duplicate moved to the kept record, and what the duplicate said is kept here."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_youth_id: Mapped[int] = mapped_column(
        ForeignKey("youth.id", ondelete="CASCADE"), index=True
    )
    #: The duplicate's id, gone from `youth`: its access-log rows still carry it.
    merged_youth_id: Mapped[int] = mapped_column(Integer, unique=True)
    merged_public_id: Mapped[str] = mapped_column(String(16))
    #: What the duplicate record said ({"field": value}) as JSON, encrypted at rest.
    merged_details: Mapped[str] = mapped_column(EncryptedText())
    #: How many contacts, markings, consents, handoffs … moved ({"kind": n}) as JSON.
    moved: Mapped[str] = mapped_column(Text, default="{}")
    merged_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    merged_by: Mapped[User] = relationship(lazy="joined")

    @property
    def details(self) -> dict:
        """What the merged record said."""
        return json.loads(self.merged_details)

    @property
    def moved_counts(self) -> dict[str, int]:
        """How many of each kind of record moved from the duplicate."""
        return json.loads(self.moved)
