"""The review list's filter: what a team lead narrows the team's log to, the contacts and
shifts it lets through (queries, without order), the choices the filter offers, and the page
both lists are read in."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, exists, select

from outreach import scopes
from outreach.auth.models import User
from outreach.clock import start_of_day
from outreach.extensions import db
from outreach.org.models import Area, Place
from outreach.paging import Cursor
from outreach.risk import services as risk_services
from outreach.shifts import services as shift_services
from outreach.shifts.models import AnonymousContact, ContactTopic, Shift, shift_worker
from outreach.vocabulary import ContactKind, ReviewStatus, RiskLevel, Topic
from outreach.youths.models import IdentifiedContact, identified_contact_youth

PAGE_SIZE = 50


@dataclass(frozen=True)
class ReviewFilter:
    """What the team lead narrowed the log to; every field optional but the teams."""

    team_ids: tuple[int, ...]
    date_from: date | None = None
    date_to: date | None = None
    area_id: int | None = None
    place_id: int | None = None
    worker_id: int | None = None
    topic: Topic | None = None
    kind: ContactKind | None = None
    risk: RiskLevel | None = None
    status: ReviewStatus | None = None
    oldest_first: bool = False
    #: Only what was logged up to this moment (an export fixes it when it starts, so what it
    #: writes to the access log and what it sends are the same contacts).
    logged_by: datetime | None = None

    @property
    def wants_anonymous(self) -> bool:
        """Named contacts have no topics, anonymous ones no youths with a risk level."""
        return self.kind in (None, ContactKind.ANONYMOUS) and self.risk is None

    @property
    def wants_identified(self) -> bool:
        return self.kind in (None, ContactKind.IDENTIFIED) and self.topic is None


@dataclass
class Choices:
    """What the filter offers a lead: the areas and places their teams have worked in (not
    the whole country's), and the teams' workers."""

    areas: list[Area]
    places: list[tuple[Place, str]]
    workers: list[User]


def choices(user: User) -> Choices:
    """The filter's choices for the teams the user leads."""
    teams = [team.id for team in user.field_teams]
    worked = list(db.session.execute(shift_services.worked_areas(teams)).scalars())
    areas = db.session.execute(
        select(Area).where(Area.id.in_(worked)).order_by(Area.name)
    ).scalars()
    places = db.session.execute(
        select(Place, Area.name)
        .join(Area, Area.id == Place.area_id)
        .where(Area.id.in_(worked))
        .order_by(Area.name, Place.name)
    ).all()
    workers = db.session.execute(scopes.team_workers(user).order_by(User.display_name)).scalars()
    return Choices(list(areas), [(place, area) for place, area in places], list(workers))


@dataclass
class Page:
    """A page of the list and the cursor of the next, if there is one."""

    entries: list
    next_cursor: Cursor | None
    #: The current risk marking of each named youth on the page, by youth id.
    levels: dict = field(default_factory=dict)


def _of_wanted_shifts(query: Select, model, user: User, wanted: ReviewFilter) -> Select:
    """Contacts of the wanted teams the user sees, by the team each carries (one index range);
    narrowed through their shifts only when the filter asks for an area, worker or status."""
    visible = set(scopes.visible_team_ids(user))
    query = query.where(model.team_id.in_([team for team in wanted.team_ids if team in visible]))
    if (wanted.area_id, wanted.worker_id, wanted.status) != (None, None, None):
        query = query.where(model.shift_id.in_(shift_conditions(user, wanted)))
    return query


def shift_conditions(user: User, wanted: ReviewFilter) -> Select:
    """The ids of the user's shifts in the wanted teams, worker and review status."""
    query = scopes.visible_shifts(user).with_only_columns(Shift.id)
    query = query.where(Shift.team_id.in_(wanted.team_ids))
    if wanted.area_id is not None:
        query = query.where(Shift.area_id == wanted.area_id)
    if wanted.worker_id is not None:
        query = query.where(
            Shift.id.in_(
                select(shift_worker.c.shift_id).where(shift_worker.c.user_id == wanted.worker_id)
            )
        )
    if wanted.status is not None:
        query = query.where(Shift.review_status == wanted.status)
    if wanted.status == ReviewStatus.PENDING:
        query = query.where(Shift.ended_at.is_not(None))  # in progress is not yet to review
    return query


def within_dates(query: Select, column, wanted: ReviewFilter) -> Select:
    """Whole Stockholm days: a contact at 23:30 on the 31st is on the 31st."""
    if wanted.date_from is not None:
        query = query.where(column >= start_of_day(wanted.date_from))
    if wanted.date_to is not None:
        query = query.where(column < start_of_day(wanted.date_to + timedelta(days=1)))
    return query


def anonymous_contacts(user: User, wanted: ReviewFilter) -> Select:
    """The anonymous contacts the filter lets through (no order)."""
    query = _of_wanted_shifts(select(AnonymousContact), AnonymousContact, user, wanted)
    query = within_dates(query, AnonymousContact.occurred_at, wanted)
    if wanted.logged_by is not None:
        query = query.where(AnonymousContact.created_at <= wanted.logged_by)
    if wanted.place_id is not None:
        query = query.where(AnonymousContact.place_id == wanted.place_id)
    if wanted.topic is not None:
        query = query.where(
            exists().where(
                ContactTopic.contact_id == AnonymousContact.id, ContactTopic.topic == wanted.topic
            )
        )
    return query


def identified_contacts(user: User, wanted: ReviewFilter) -> Select:
    """The named contacts the filter lets through, corrections left out (no order)."""
    query = _of_wanted_shifts(
        scopes.visible_identified_contacts(user), IdentifiedContact, user, wanted
    ).where(IdentifiedContact.corrects_id.is_(None))
    query = within_dates(query, IdentifiedContact.occurred_at, wanted)
    if wanted.logged_by is not None:
        query = query.where(IdentifiedContact.created_at <= wanted.logged_by)
    if wanted.place_id is not None:
        query = query.where(IdentifiedContact.place_id == wanted.place_id)
    if wanted.risk is not None:
        query = query.where(
            exists().where(
                identified_contact_youth.c.contact_id == IdentifiedContact.id,
                identified_contact_youth.c.youth_id.in_(
                    risk_services.youths_at_level(wanted.risk, scopes.visible_youth_ids(user))
                ),
            )
        )
    return query
