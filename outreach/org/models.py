"""Teams, areas and places."""

import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.extensions import db, enum_type


class TeamKind(enum.StrEnum):
    FIELD = "field"
    VPC = "vpc"


class PlaceKind(enum.StrEnum):
    SQUARE = "square"
    SCHOOL = "school"
    YOUTH_CENTRE = "youth_centre"
    STATION = "station"
    MALL = "mall"
    PARK = "park"
    OTHER = "other"


class Team(db.Model):
    """A field team (Fältgruppen Norr …) or the VPC team."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[TeamKind] = mapped_column(enum_type(TeamKind, 10))

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class Area(db.Model):
    """A district that field teams walk (Område)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: Loaded when asked for (an area comes with many a contact and shift; its places seldom).
    places: Mapped[list["Place"]] = relationship(back_populates="area", order_by="Place.name")


class Place(db.Model):
    """A place within an area where youths gather (Plats)."""

    __table_args__ = (UniqueConstraint("area_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[PlaceKind] = mapped_column(enum_type(PlaceKind, 20))
    area: Mapped[Area] = relationship(back_populates="places")
