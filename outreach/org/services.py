"""What every area reads of the organisation: a kommun's areas, places and teams (its admin
keeps them)."""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.extensions import db
from outreach.org.models import Area, Place, Team
from outreach.vocabulary import Urgency


def default_first_contact_hours() -> dict[Urgency, int]:
    """The deployment's first-contact times (OUTREACH_HANDOFF_HOURS, …_URGENT_HOURS), for
    the receiving units that set none of their own."""
    config = current_app.config
    return {
        Urgency.NORMAL: config["HANDOFF_HOURS_NORMAL"],
        Urgency.URGENT: config["HANDOFF_HOURS_URGENT"],
    }


def areas(kommun_id: int | None) -> list[Area]:
    """The kommun's areas, by name."""
    return list(
        db.session.execute(
            select(Area).where(Area.kommun_id == kommun_id).order_by(Area.name)
        ).scalars()
    )


def areas_with_places(kommun_id: int | None) -> list[Area]:
    """The kommun's areas by name, each with its places."""
    return list(
        db.session.execute(
            select(Area)
            .where(Area.kommun_id == kommun_id)
            .options(selectinload(Area.places))
            .order_by(Area.name)
        ).scalars()
    )


def places(kommun_id: int | None) -> list[Place]:
    """The kommun's places, by area and name."""
    return list(
        db.session.execute(
            select(Place)
            .join(Area, Area.id == Place.area_id)
            .where(Place.kommun_id == kommun_id)
            .order_by(Area.name, Place.name)
        ).scalars()
    )


def teams(kommun_id: int | None) -> list[Team]:
    """The kommun's teams and receiving units, by name."""
    return list(
        db.session.execute(
            select(Team).where(Team.kommun_id == kommun_id).order_by(Team.name)
        ).scalars()
    )
