"""The team lead's review: the filtered log of the team's contacts and shifts, read a page at a
time in keyset order, and the sign-off or return of a shift. Services flush; the view commits.

Keyset pagination (outreach/paging.py): anonymous and named contacts live in two tables; each
is read in the same order and the two sorted runs are merged.
"""

import heapq
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ScalarSelect,
    Select,
    String,
    cast,
    exists,
    false,
    func,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm.attributes import set_committed_value

from outreach import policy
from outreach.auth.models import User
from outreach.clock import start_of_day
from outreach.errors import Conflict, RuleViolation
from outreach.extensions import db
from outreach.org.models import Area, Place, Team
from outreach.paging import Cursor, in_order
from outreach.personnummer import contains_personnummer_shape
from outreach.review.models import ShiftReview
from outreach.risk import services as risk_services
from outreach.shifts.models import (
    AnonymousContact,
    ContactAction,
    ContactCount,
    ContactTopic,
    Shift,
    shift_worker,
)
from outreach.vocabulary import (
    Action,
    ContactKind,
    ReviewDecision,
    ReviewStatus,
    RiskLevel,
    Topic,
)
from outreach.youths.models import IdentifiedContact, Youth, identified_contact_youth

PAGE_SIZE = 50
#: Rows read per query when a whole filtered list is exported.
EXPORT_CHUNK = 1000
MAX_COMMENT = 2000

#: Breaks ties between an anonymous and a named contact logged at the same instant.
KIND_RANK = {ContactKind.ANONYMOUS: 0, ContactKind.IDENTIFIED: 1}


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


def _merged(runs: list[Iterable], wanted: "ReviewFilter") -> Iterator:
    """Two sorted runs (anonymous, named) as one, in the wanted order."""
    return heapq.merge(*runs, key=lambda row: row.cursor, reverse=not wanted.oldest_first)


# --- the contacts in the log --------------------------------------------------------------


@dataclass
class NamedYouth:
    """A youth named in a contact, as the list shows them."""

    id: int
    public_id: str
    alias: str
    protected_identity: bool


@dataclass
class ShiftFacts:
    """What the list says about a contact's shift."""

    public_id: str
    team: str
    area: str
    review_status: ReviewStatus
    workers: list[str] = field(default_factory=list)


@dataclass
class LogRow:
    """One contact of the list, anonymous or named: plain values read without ORM objects, so
    a page is a handful of queries and a year's export streams in flat memory."""

    kind: ContactKind
    occurred_at: datetime
    public_id: str
    shift_id: int
    place: str
    author: str
    youth_count: int = 0
    #: Gender and age-band codes → count (anonymous contacts).
    counts: dict[str, int] = field(default_factory=dict)
    topics: list[Topic] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    youths: list[NamedYouth] = field(default_factory=list)
    #: A named contact that has been corrected since.
    corrected: bool = False
    shift: ShiftFacts | None = None

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.occurred_at, KIND_RANK[self.kind], self.public_id)


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
    visible = set(policy.visible_team_ids(user))
    query = query.where(model.team_id.in_([team for team in wanted.team_ids if team in visible]))
    if (wanted.area_id, wanted.worker_id, wanted.status) != (None, None, None):
        query = query.where(model.shift_id.in_(_shift_conditions(user, wanted)))
    return query


def _shift_conditions(user: User, wanted: ReviewFilter) -> Select:
    """The ids of the user's shifts in the wanted teams, worker and review status."""
    query = policy.visible_shifts(user).with_only_columns(Shift.id)
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


def _within_dates(query: Select, column, wanted: ReviewFilter) -> Select:
    """Whole Stockholm days: a contact at 23:30 on the 31st is on the 31st."""
    if wanted.date_from is not None:
        query = query.where(column >= start_of_day(wanted.date_from))
    if wanted.date_to is not None:
        query = query.where(column < start_of_day(wanted.date_to + timedelta(days=1)))
    return query


def anonymous_contacts(user: User, wanted: ReviewFilter) -> Select:
    """The anonymous contacts the filter lets through (no order)."""
    query = _of_wanted_shifts(select(AnonymousContact), AnonymousContact, user, wanted)
    query = _within_dates(query, AnonymousContact.occurred_at, wanted)
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
        policy.visible_identified_contacts(user), IdentifiedContact, user, wanted
    ).where(IdentifiedContact.corrects_id.is_(None))
    query = _within_dates(query, IdentifiedContact.occurred_at, wanted)
    if wanted.logged_by is not None:
        query = query.where(IdentifiedContact.created_at <= wanted.logged_by)
    if wanted.place_id is not None:
        query = query.where(IdentifiedContact.place_id == wanted.place_id)
    if wanted.risk is not None:
        query = query.where(
            exists().where(
                identified_contact_youth.c.contact_id == IdentifiedContact.id,
                identified_contact_youth.c.youth_id.in_(
                    risk_services.youths_at_level(
                        wanted.risk, policy.visible_youths(user).with_only_columns(Youth.id)
                    )
                ),
            )
        )
    return query


def _ordered_anonymous(user, wanted, cursor, limit) -> Select:
    return in_order(
        anonymous_contacts(user, wanted),
        AnonymousContact.occurred_at,
        AnonymousContact.public_id,
        KIND_RANK[ContactKind.ANONYMOUS],
        cursor,
        wanted.oldest_first,
        limit,
    )


def _ordered_identified(user, wanted, cursor, limit) -> Select:
    return in_order(
        identified_contacts(user, wanted),
        IdentifiedContact.occurred_at,
        IdentifiedContact.public_id,
        KIND_RANK[ContactKind.IDENTIFIED],
        cursor,
        wanted.oldest_first,
        limit,
    )


def _grouped(query) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for key, *values in db.session.execute(query):
        grouped.setdefault(key, []).append(values[0] if len(values) == 1 else tuple(values))
    return grouped


#: The vocabularies in their order, for the codes of a contact's topics and actions.
TOPICS = [(topic.value, topic) for topic in Topic]
ACTIONS = [(action.value, action) for action in Action]


def _in_order(vocabulary: list, codes: list[str] | None) -> list:
    """The members of the vocabulary whose codes are given, in the vocabulary's order."""
    return [member for code, member in vocabulary if code in codes] if codes else []


def _joined_codes(column, contact_column) -> ScalarSelect:
    """A contact's codes of one kind as one comma-separated text (a correlated subquery):
    a page's or an export chunk's details come with its rows, in one statement."""
    return (
        select(func.aggregate_strings(type_coerce(column, String), ","))
        .where(contact_column == AnonymousContact.id)
        .scalar_subquery()
    )


def _anonymous_run(user, wanted, cursor, limit) -> list[LogRow]:
    counts = _joined_codes(
        ContactCount.category + ":" + cast(ContactCount.count, String), ContactCount.contact_id
    )
    topics = _joined_codes(ContactTopic.topic, ContactTopic.contact_id)
    actions = _joined_codes(ContactAction.action, ContactAction.contact_id)
    rows = db.session.execute(
        _ordered_anonymous(user, wanted, cursor, limit)
        .with_only_columns(
            AnonymousContact.occurred_at,
            AnonymousContact.public_id,
            AnonymousContact.shift_id,
            AnonymousContact.youth_count,
            Place.name,
            User.display_name,
            counts.label("counts"),
            topics.label("topics"),
            actions.label("actions"),
        )
        .join(Place, Place.id == AnonymousContact.place_id)
        .join(User, User.id == AnonymousContact.created_by_id)
    ).all()
    return [
        LogRow(
            ContactKind.ANONYMOUS,
            row.occurred_at,
            row.public_id,
            row.shift_id,
            row.name,
            row.display_name,
            youth_count=row.youth_count,
            counts=_counts(row.counts),
            topics=_in_order(TOPICS, _codes(row.topics)),
            actions=_in_order(ACTIONS, _codes(row.actions)),
        )
        for row in rows
    ]


def _codes(text: str | None) -> list[str]:
    """The codes of a comma-joined text (_joined_codes)."""
    return text.split(",") if text else []


def _counts(text: str | None) -> dict[str, int]:
    """Counts joined as "category:n,…" as {category: n}."""
    return {category: int(n) for category, n in (pair.split(":") for pair in _codes(text))}


def _identified_run(user, wanted, cursor, limit) -> list[LogRow]:
    rows = db.session.execute(
        _ordered_identified(user, wanted, cursor, limit)
        .with_only_columns(
            IdentifiedContact.id,
            IdentifiedContact.occurred_at,
            IdentifiedContact.public_id,
            IdentifiedContact.shift_id,
            Place.name,
            User.display_name,
        )
        .outerjoin(Place, Place.id == IdentifiedContact.place_id)
        .join(User, User.id == IdentifiedContact.author_id)
    ).all()
    ids = _ordered_identified(user, wanted, cursor, limit).with_only_columns(IdentifiedContact.id)
    youths = _grouped(
        select(
            identified_contact_youth.c.contact_id,
            Youth.id,
            Youth.public_id,
            Youth.alias,
            Youth.protected_identity,
        )
        .join(Youth, Youth.id == identified_contact_youth.c.youth_id)
        .where(identified_contact_youth.c.contact_id.in_(ids))
        .order_by(Youth.alias)
    )
    corrected = set(
        db.session.execute(
            select(IdentifiedContact.corrects_id).where(IdentifiedContact.corrects_id.in_(ids))
        ).scalars()
    )
    return [
        LogRow(
            ContactKind.IDENTIFIED,
            at,
            public_id,
            shift_id,
            place or "",
            author,
            youths=[NamedYouth(*youth) for youth in youths.get(contact_id, [])],
            youth_count=len(youths.get(contact_id, [])),
            corrected=contact_id in corrected,
        )
        for contact_id, at, public_id, shift_id, place, author in rows
    ]


def _shift_facts(shift_ids: set[int], known: dict[int, ShiftFacts]) -> None:
    """Add what is not yet known about these shifts (a year has a few thousand)."""
    missing = shift_ids - known.keys()
    if not missing:
        return
    for shift_id, public_id, team, area, status in db.session.execute(
        select(Shift.id, Shift.public_id, Team.name, Area.name, Shift.review_status)
        .join(Team, Team.id == Shift.team_id)
        .join(Area, Area.id == Shift.area_id)
        .where(Shift.id.in_(missing))
    ):
        known[shift_id] = ShiftFacts(public_id, team, area, status)
    for shift_id, name in db.session.execute(
        select(shift_worker.c.shift_id, User.display_name)
        .join(User, User.id == shift_worker.c.user_id)
        .where(shift_worker.c.shift_id.in_(missing))
        .order_by(User.display_name)
    ):
        known[shift_id].workers.append(name)


def _with_shifts(rows: list[LogRow], known: dict[int, ShiftFacts]) -> list[LogRow]:
    """The rows, each given its shift's facts (`known` keeps them from chunk to chunk)."""
    _shift_facts({row.shift_id for row in rows}, known)
    for row in rows:
        row.shift = known[row.shift_id]
    return rows


def contact_page(
    user: User,
    wanted: ReviewFilter,
    cursor: Cursor | None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of the filtered contacts in the wanted order, after the cursor."""
    runs = []
    if wanted.wants_anonymous:
        runs.append(_anonymous_run(user, wanted, cursor, size + 1))
    if wanted.wants_identified:
        runs.append(_identified_run(user, wanted, cursor, size + 1))
    merged = list(_merged(runs, wanted))
    entries = _with_shifts(merged[:size], {})
    more = len(merged) > size
    return Page(entries, entries[-1].cursor if more else None)


def listed_youths(entries: list[LogRow]) -> list[int]:
    """The ids of the named youths a page shows."""
    return sorted({youth.id for row in entries for youth in row.youths})


def _run_through(run, user: User, wanted: ReviewFilter) -> Iterator[LogRow]:
    """Every row of one run (anonymous or named contacts), read a chunk at a time."""
    cursor = None
    while True:
        rows = run(user, wanted, cursor, EXPORT_CHUNK)
        yield from rows
        if len(rows) < EXPORT_CHUNK:
            return
        cursor = rows[-1].cursor


def export_rows(user: User, wanted: ReviewFilter) -> Iterator[LogRow]:
    """Every filtered contact in the wanted order, for exports: each kind read on its own a
    chunk at a time (every row once) and the two merged as they stream, with their shifts'
    facts read a chunk at a time too."""
    runs = []
    if wanted.wants_anonymous:
        runs.append(_run_through(_anonymous_run, user, wanted))
    if wanted.wants_identified:
        runs.append(_run_through(_identified_run, user, wanted))
    shifts: dict[int, ShiftFacts] = {}
    merged = _merged(runs, wanted)
    while chunk := list(itertools.islice(merged, EXPORT_CHUNK)):
        yield from _with_shifts(chunk, shifts)


def youths_in(user: User, wanted: ReviewFilter) -> list[int]:
    """The ids of the named youths in the filtered contacts (what an export will show)."""
    if not wanted.wants_identified:
        return []
    contacts = identified_contacts(user, wanted).with_only_columns(IdentifiedContact.id)
    return list(
        db.session.execute(
            select(identified_contact_youth.c.youth_id)
            .where(identified_contact_youth.c.contact_id.in_(contacts))
            .distinct()
        ).scalars()
    )


# --- the shifts ---------------------------------------------------------------------------


@dataclass
class ShiftRow:
    """A shift in the review list with what was logged in it."""

    shift: Shift
    anonymous_contacts: int = 0
    youths_met: int = 0
    identified_contacts: int = 0

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.shift.started_at, 0, self.shift.public_id)


def shifts(user: User, wanted: ReviewFilter) -> Select:
    """The shifts the filter lets through; contact filters keep shifts that have such a contact."""
    query = policy.visible_shifts(user).where(Shift.id.in_(_shift_conditions(user, wanted)))
    query = _within_dates(query, Shift.started_at, wanted)
    contact_filter = wanted.place_id, wanted.topic, wanted.kind, wanted.risk
    if any(value is not None for value in contact_filter):
        wanted_contacts = []
        if wanted.wants_anonymous:
            wanted_contacts.append(
                anonymous_contacts(user, wanted).with_only_columns(AnonymousContact.shift_id)
            )
        if wanted.wants_identified:
            wanted_contacts.append(
                identified_contacts(user, wanted).with_only_columns(IdentifiedContact.shift_id)
            )
        # false() first: filters that rule out both kinds of contact leave no shift either
        query = query.where(or_(false(), *(Shift.id.in_(q) for q in wanted_contacts)))
    return query


def shift_page(
    user: User, wanted: ReviewFilter, cursor: Cursor | None, size: int = PAGE_SIZE
) -> Page:
    """One page of the filtered shifts in the wanted order, with their tallies."""
    query = in_order(
        shifts(user, wanted),
        Shift.started_at,
        Shift.public_id,
        0,
        cursor,
        wanted.oldest_first,
        size + 1,
    )
    found = list(db.session.execute(query).unique().scalars())
    rows = {shift.id: ShiftRow(shift) for shift in found[:size]}
    if rows:
        tallies = db.session.execute(
            select(
                AnonymousContact.shift_id,
                func.count(),
                func.coalesce(func.sum(AnonymousContact.youth_count), 0),
            )
            .where(AnonymousContact.shift_id.in_(rows))
            .group_by(AnonymousContact.shift_id)
        )
        for shift_id, count, youths in tallies:
            rows[shift_id].anonymous_contacts = count
            rows[shift_id].youths_met = int(youths)
        named = db.session.execute(
            select(IdentifiedContact.shift_id, func.count())
            .where(IdentifiedContact.shift_id.in_(rows), IdentifiedContact.corrects_id.is_(None))
            .group_by(IdentifiedContact.shift_id)
        )
        for shift_id, count in named:
            rows[shift_id].identified_contacts = count
    entries = list(rows.values())
    more = len(found) > size
    return Page(entries, entries[-1].cursor if more else None)


# --- sign-off -----------------------------------------------------------------------------


def _check_comment(comment: str, required: bool) -> str:
    comment = comment.strip()
    if required and not comment:
        raise RuleViolation(_l("Write what the workers should look at."), "comment")
    if len(comment) > MAX_COMMENT:
        raise RuleViolation(_l("At most %(max)d characters.", max=MAX_COMMENT), "comment")
    if contains_personnummer_shape(comment):
        raise RuleViolation(
            _l("The comment looks like it contains a personal identity number; leave it out."),
            "comment",
        )
    return comment


#: Where each step takes a shift, and from where.
STEPS = {
    ReviewDecision.REVIEWED: (ReviewStatus.PENDING, ReviewStatus.REVIEWED),
    ReviewDecision.RETURNED: (ReviewStatus.PENDING, ReviewStatus.RETURNED),
    ReviewDecision.RESUBMITTED: (ReviewStatus.RETURNED, ReviewStatus.PENDING),
}


def _decide(user: User, shift: Shift, decision: ReviewDecision, comment: str) -> ShiftReview:
    """Move the shift on, if nobody moved it first (two leads, a double click): the status
    changes only where it still is what the step starts from."""
    start, end = STEPS[decision]
    moved = db.session.execute(
        update(Shift)
        .where(Shift.id == shift.id, Shift.review_status == start)
        .values(review_status=end)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise Conflict(_l("Someone else reviewed or answered the shift just now. Reload the page."))
    set_committed_value(shift, "review_status", end)
    step = ShiftReview(shift_id=shift.id, decision=decision, comment=comment, user_id=user.id)
    db.session.add(step)
    db.session.flush()
    return step


def sign_off(user: User, shift: Shift) -> ShiftReview:
    """The team lead marks an ended shift as reviewed."""
    if not policy.can_review_shift(user, shift):
        raise RuleViolation(_not_reviewable(shift))
    return _decide(user, shift, ReviewDecision.REVIEWED, "")


def return_to_workers(user: User, shift: Shift, comment: str) -> ShiftReview:
    """The team lead sends an ended shift back to its workers with a comment."""
    if not policy.can_review_shift(user, shift):
        raise RuleViolation(_not_reviewable(shift))
    return _decide(user, shift, ReviewDecision.RETURNED, _check_comment(comment, required=True))


def resubmit(user: User, shift: Shift, comment: str) -> ShiftReview:
    """A worker answers a returned shift and sends it back for review."""
    if not policy.can_resubmit_shift(user, shift):
        raise RuleViolation(_l("Only the shift's workers can answer a returned shift."))
    return _decide(user, shift, ReviewDecision.RESUBMITTED, _check_comment(comment, required=False))


def _not_reviewable(shift: Shift):
    if shift.is_open:
        return _l("The shift is still in progress; it can be reviewed once it has ended.")
    if shift.review_status == ReviewStatus.RETURNED:
        return _l("The shift is with its workers; it can be reviewed when they send it back.")
    if shift.review_status == ReviewStatus.REVIEWED:
        return _l("The shift has already been reviewed.")
    return _l("Only a lead of the shift's team can review it.")


def history(shift: Shift) -> list[ShiftReview]:
    """The review steps of a shift, oldest first."""
    return list(
        db.session.execute(
            select(ShiftReview).where(ShiftReview.shift_id == shift.id).order_by(ShiftReview.id)
        ).scalars()
    )


def returned_to(user: User) -> list[tuple[Shift, ShiftReview]]:
    """The user's shifts that a team lead has returned, with the return that says why."""
    latest = (
        select(func.max(ShiftReview.id))
        .where(ShiftReview.decision == ReviewDecision.RETURNED)
        .group_by(ShiftReview.shift_id)
    )
    rows = db.session.execute(
        select(Shift, ShiftReview)
        .join(ShiftReview, ShiftReview.shift_id == Shift.id)
        .join(shift_worker, shift_worker.c.shift_id == Shift.id)
        .where(
            shift_worker.c.user_id == user.id,
            Shift.review_status == ReviewStatus.RETURNED,
            ShiftReview.id.in_(latest),
        )
        .order_by(Shift.started_at.desc())
    ).unique()
    return [(shift, step) for shift, step in rows]


def waiting_for_review(user: User) -> int:
    """How many ended shifts of the teams the user leads wait for review."""
    if not policy.leads_field_team(user):
        return 0
    return db.session.execute(
        select(func.count()).select_from(
            policy.visible_shifts(user)
            .where(Shift.review_status == ReviewStatus.PENDING, Shift.ended_at.is_not(None))
            .subquery()
        )
    ).scalar_one()
