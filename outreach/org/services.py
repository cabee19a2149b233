"""What every area reads of the organisation: its areas and places (the admin keeps them)."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.extensions import db
from outreach.org.models import Area, Place, Team


def areas() -> list[Area]:
    """Every area, by name."""
    return list(db.session.execute(select(Area).order_by(Area.name)).scalars())


def areas_with_places() -> list[Area]:
    """Every area by name, each with its places."""
    return list(
        db.session.execute(
            select(Area).options(selectinload(Area.places)).order_by(Area.name)
        ).scalars()
    )


def places() -> list[Place]:
    """Every place, by area and name."""
    return list(
        db.session.execute(select(Place).join(Area).order_by(Area.name, Place.name)).scalars()
    )


def teams() -> list[Team]:
    """Every team, by name."""
    return list(db.session.execute(select(Team).order_by(Team.name)).scalars())
