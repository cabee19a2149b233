"""The rules of shifts and anonymous contacts. Services flush; the view commits."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import lazyload

from outreach import identifiers, scopes
from outreach.auth.models import User
from outreach.clock import now
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Area, Place, Team
from outreach.shifts.models import (
    AnonymousContact,
    ContactAction,
    ContactCount,
    ContactTopic,
    Shift,
    shift_worker,
)
from outreach.vocabulary import Action, AgeBand, Gender, Topic

#: How far ahead of the clock a time may be (tablets' clocks drift a little).
CLOCK_SKEW = timedelta(minutes=5)
#: How far back a shift may be started after the fact.
MAX_BACKDATE = timedelta(hours=24)
MAX_YOUTHS_PER_CONTACT = 200
#: The longest submission token accepted (the forms make 32 characters).
MAX_TOKEN = 64

#: Said after what was found in an anonymous contact's note (outreach.identifiers).
NO_PERSONAL_DATA = _l(
    "Anonymous contacts must not hold personal data: remove it, or register the youth and "
    "record a named contact instead."
)


def open_shift_of(user: User) -> Shift | None:
    """The shift the user is out on now, if any."""
    return db.session.execute(
        select(Shift)
        .join(shift_worker, shift_worker.c.shift_id == Shift.id)
        .where(shift_worker.c.user_id == user.id, Shift.ended_at.is_(None))
        .order_by(Shift.started_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def latest_shifts(user: User, limit: int) -> list[Shift]:
    """The latest shifts of the user's teams, the newest first."""
    return list(
        db.session.execute(
            scopes.visible_shifts(user).order_by(Shift.started_at.desc()).limit(limit)
        ).scalars()
    )


def possible_colleagues(user: User) -> list[User]:
    """Who can go out on a shift with the user, by name."""
    return list(
        db.session.execute(scopes.possible_colleagues(user).order_by(User.display_name)).scalars()
    )


def _check_not_future(moment: datetime, field: str) -> None:
    if moment > now() + CLOCK_SKEW:
        raise RuleViolation(_l("The time cannot be in the future."), field)


def start_shift(
    user: User,
    *,
    team: Team,
    area: Area | None,
    colleagues: Iterable[User],
    started_at: datetime | None,
    situation_note: str,
) -> Shift:
    """Start a fältpass for the user and the colleagues out with them."""
    if team not in user.field_teams:
        raise RuleViolation(_l("Choose one of your field teams."), "team")
    if area is None or area.kommun_id != team.kommun_id:
        raise RuleViolation(_l("Choose an area."), "area")
    if open_shift_of(user) is not None:
        raise RuleViolation(_l("You already have a shift in progress. End it first."))
    started_at = started_at or now()
    _check_not_future(started_at, "started_at")
    if started_at < now() - MAX_BACKDATE:
        raise RuleViolation(_l("A shift can be started at most 24 hours back."), "started_at")
    colleagues = [c for c in colleagues if c.id != user.id]
    for colleague in colleagues:
        if team not in colleague.all_teams:
            raise RuleViolation(
                _l(
                    "%(name)s is not a member of %(team)s.",
                    name=colleague.display_name,
                    team=team.name,
                ),
                "colleagues",
            )
        if open_shift_of(colleague) is not None:
            raise RuleViolation(
                _l("%(name)s is already out on another shift.", name=colleague.display_name),
                "colleagues",
            )
    _check_note(situation_note, "situation_note")
    shift = Shift(
        team=team,
        area=area,
        started_at=started_at,
        situation_note=situation_note.strip(),
        created_by_id=user.id,
        workers=[user, *colleagues],
    )
    db.session.add(shift)
    db.session.flush()
    return shift


def _check_note(note: str, field: str) -> None:
    why = identifiers.refusal(note)
    if why:
        raise RuleViolation(f"{why} {NO_PERSONAL_DATA}", field)


def update_situation_note(shift: Shift, note: str) -> None:
    """Replace the shift's situation note (it holds no names)."""
    _check_note(note, "situation_note")
    shift.situation_note = note.strip()
    db.session.flush()


def end_shift(shift: Shift) -> None:
    """End the shift now."""
    if not shift.is_open:
        raise RuleViolation(_l("The shift has already ended."))
    shift.ended_at = max(now(), shift.started_at)
    db.session.flush()


@dataclass(frozen=True)
class PlaceChoice:
    """A place offered in the contact form."""

    id: int
    area_id: int
    name: str


#: How far back the areas a team works in are read, and its most recently used places.
RECENT_WORK, RECENT_PLACES = timedelta(days=365), timedelta(days=90)


def worked_areas(team_ids: Iterable[int], since: datetime | None = None) -> Select:
    """The ids of the areas the teams have had shifts in (since a moment, or ever)."""
    query = select(Shift.area_id).where(Shift.team_id.in_(list(team_ids))).distinct()
    return query if since is None else query.where(Shift.started_at >= since)


def places_for(shift: Shift) -> list[PlaceChoice]:
    """The places a contact in the shift can be at: those of the shift's area first and,
    within it, the team's most recently used first; then those of the other areas the team
    worked in during the last year (a team works in its own town, not the whole country).
    Plain values, not records: the form shown after a save uses them again."""
    last_used = (
        select(AnonymousContact.place_id, func.max(AnonymousContact.occurred_at).label("at"))
        .where(
            AnonymousContact.team_id == shift.team_id,
            AnonymousContact.occurred_at >= now() - RECENT_PLACES,
        )
        .group_by(AnonymousContact.place_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Place.id, Place.area_id, Place.name, last_used.c.at)
        .join(Area, Area.id == Place.area_id)
        .outerjoin(last_used, last_used.c.place_id == Place.id)
        .where(
            or_(
                Place.area_id == shift.area_id,
                Place.area_id.in_(worked_areas([shift.team_id], now() - RECENT_WORK)),
            )
        )
        .order_by(Area.name, Place.name)
    ).all()

    def rank(row):
        used = row.at.timestamp() if row.at is not None else float("-inf")
        return (row.area_id != shift.area_id, -used, row.name)

    return [PlaceChoice(row.id, row.area_id, row.name) for row in sorted(rows, key=rank)]


def used(places: list[PlaceChoice], place_id: int, shift: Shift) -> list[PlaceChoice]:
    """The places as places_for would give them right after a contact at the place: first
    among those of its group (the shift's area first, then the others)."""
    place = next(other for other in places if other.id == place_id)
    rest = [other for other in places if other.id != place_id]
    if place.area_id == shift.area_id:
        return [place, *rest]
    others = next((i for i, p in enumerate(rest) if p.area_id != shift.area_id), len(rest))
    return [*rest[:others], place, *rest[others:]]


def contact_by_token(token: str) -> AnonymousContact | None:
    """The anonymous contact a submission with this token logged, if any."""
    return db.session.execute(
        select(AnonymousContact).where(AnonymousContact.submission_token == token)
    ).scalar_one_or_none()


def log_anonymous_contact(
    user: User,
    shift: Shift,
    *,
    place_id: int,
    youth_count: int,
    gender_counts: dict[Gender, int],
    age_counts: dict[AgeBand, int],
    topics: Iterable[Topic],
    actions: Iterable[Action],
    note: str,
    occurred_at: datetime | None,
    token: str = "",
) -> AnonymousContact:
    """Log a tally of youths met: counts, topics and actions, never personal data.

    A submission carrying the token of one already logged (a resent form, a tablet sending
    its queue again after a lost answer) finds that contact instead of logging it twice.
    """
    if token:
        earlier = contact_by_token(token)
        if earlier is not None:
            if earlier.shift_id == shift.id and earlier.created_by_id == user.id:
                return earlier
            raise RuleViolation(_l("The form has expired. Reload the page and try again."))
        if len(token) > MAX_TOKEN:
            raise RuleViolation(_l("The form has expired. Reload the page and try again."))
    if not shift.is_open:
        raise RuleViolation(_l("The shift has ended; start a new one to log contacts."))
    if not 1 <= youth_count <= MAX_YOUTHS_PER_CONTACT:
        raise RuleViolation(
            _l("The number of youths must be between 1 and %(n)d.", n=MAX_YOUTHS_PER_CONTACT),
            "youth_count",
        )
    for counts, field in ((gender_counts, "genders"), (age_counts, "ages")):
        if any(value < 0 for value in counts.values()):
            raise RuleViolation(_l("Counts cannot be negative."), field)
    by_gender, by_age = sum(gender_counts.values()), sum(age_counts.values())
    if by_gender > youth_count:
        raise RuleViolation(
            _l(
                "The counts by gender add up to %(total)d, more than the number of youths (%(n)d).",
                total=by_gender,
                n=youth_count,
            ),
            "genders",
        )
    if by_age > youth_count:
        raise RuleViolation(
            _l(
                "The counts by age add up to %(total)d, more than the number of youths (%(n)d).",
                total=by_age,
                n=youth_count,
            ),
            "ages",
        )
    _check_note(note, "note")
    occurred_at = occurred_at or now()
    _check_not_future(occurred_at, "occurred_at")
    if occurred_at < shift.started_at - CLOCK_SKEW:
        raise RuleViolation(_l("The contact cannot be before the shift started."), "occurred_at")
    contact = AnonymousContact(
        shift_id=shift.id,
        team_id=shift.team_id,
        kommun_id=shift.kommun_id,
        place_id=place_id,
        occurred_at=occurred_at,
        youth_count=youth_count,
        note=note.strip(),
        created_by_id=user.id,
        submission_token=token or None,
        counts=[
            ContactCount(category=str(category), count=count)
            for category, count in [*gender_counts.items(), *age_counts.items()]
            if count > 0
        ],
        topics=[ContactTopic(topic=topic) for topic in dict.fromkeys(topics)],
        actions=[ContactAction(action=action) for action in dict.fromkeys(actions)],
    )
    db.session.add(contact)
    db.session.flush()
    return contact


def contacts_in(shift: Shift, limit: int | None = None) -> list[AnonymousContact]:
    """The shift's anonymous contacts, latest first, as their list shows them: with their
    place, author and topics (the counts and actions stay unread until asked for)."""
    return list(
        db.session.execute(
            select(AnonymousContact)
            .options(lazyload(AnonymousContact.counts), lazyload(AnonymousContact.actions))
            .where(AnonymousContact.shift_id == shift.id)
            .order_by(AnonymousContact.occurred_at.desc(), AnonymousContact.id.desc())
            .limit(limit)
        ).scalars()
    )


def youths_met_in(shift: Shift) -> int:
    """How many youths the shift's anonymous contacts counted."""
    total = db.session.execute(
        select(func.coalesce(func.sum(AnonymousContact.youth_count), 0)).where(
            AnonymousContact.shift_id == shift.id
        )
    ).scalar_one()
    return int(total)
