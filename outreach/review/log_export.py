"""The review list's export as one statement: every filtered contact, anonymous and named, in
the list's order, each cell already as it is written (labels of the vocabularies in the
user's language, lists joined, text quoted where a spreadsheet would run it as a formula),
so that PostgreSQL can write the CSV itself (COPY, outreach/exports.py) and the rows are
never loaded as objects. No free text is exported.
"""

from dataclasses import dataclass

from sqlalchemy import (
    Integer,
    Select,
    String,
    case,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from outreach.auth.models import User
from outreach.exports import FORMULA_START, minute_text
from outreach.extensions import db
from outreach.org.models import Area, Place, Team
from outreach.review.filters import ReviewFilter, anonymous_contacts, identified_contacts
from outreach.review.log import KIND_RANK
from outreach.shifts.models import (
    AnonymousContact,
    ContactAction,
    ContactCount,
    ContactTopic,
    Shift,
    shift_worker,
)
from outreach.vocabulary import Action, AgeBand, ContactKind, Gender, ReviewStatus, Topic
from outreach.youths.models import IdentifiedContact, Youth, identified_contact_youth

#: The youths' categories with a column each, in the columns' order.
CATEGORIES = [*Gender, *AgeBand]


@dataclass
class Labels:
    """What the export writes for the vocabularies' codes, in the user's language."""

    #: Every member of the vocabularies exported (kinds, topics, actions, review statuses).
    members: dict
    #: A protected youth's alias, with "{}" where the alias goes.
    protected: str


def _safe(text):
    """A text cell: quoted when a spreadsheet would run it as a formula, none when empty."""
    return case(
        (func.substr(text, 1, 1).in_(FORMULA_START), literal_column("''''", String) + text),
        else_=func.nullif(text, ""),
    )


def _labelled(column, members, labels: Labels):
    return case({member: labels.members[member] for member in members}, value=column)


def _joined(rows: Select, dialect: str):
    """Rows of (key, text, position) as one row per key: the texts joined with ", " in the
    order of their positions, and how many there are."""
    inner = rows.subquery()
    key, text, position = inner.c.key, inner.c.text, inner.c.position
    if dialect == "postgresql":
        joined = func.string_agg(text, aggregate_order_by(literal_column("', '"), position))
        return select(key, joined.label("joined"), func.count().label("count")).group_by(key)
    # SQLite joins in the order it reads the rows: from a sorted subquery.
    ordered = select(inner).order_by(key, position).subquery()
    return select(
        ordered.c.key,
        func.group_concat(ordered.c.text, ", ").label("joined"),
        func.count().label("count"),
    ).group_by(ordered.c.key)


def _workers(shifts, dialect: str):
    """Who was out on each of the shifts, by name."""
    return _joined(
        select(
            shift_worker.c.shift_id.label("key"),
            User.display_name.label("text"),
            User.display_name.label("position"),
        )
        .join(User, User.id == shift_worker.c.user_id)
        .where(shift_worker.c.shift_id.in_(select(shifts.c.shift_id))),
        dialect,
    ).subquery()


def _codes(model, column, members, contacts, labels: Labels, dialect: str):
    """Each contact's topics (or actions) by their labels, in the vocabulary's order."""
    position = case({member: number for number, member in enumerate(members)}, value=column)
    return _joined(
        select(
            contacts.c.id.label("key"),
            _labelled(column, members, labels).label("text"),
            position.label("position"),
        )
        .select_from(contacts)
        .join(model, model.contact_id == contacts.c.id),
        dialect,
    ).subquery()


def _cells(contacts, kind: ContactKind, time_text: bool, labels: Labels, dialect: str) -> tuple:
    """The columns both kinds of contact share, around their own (the time first; the sort
    keys last)."""
    workers = _workers(contacts, dialect)
    return (
        [
            minute_text(contacts.c.occurred_at, dialect) if time_text else contacts.c.occurred_at,
            literal(labels.members[kind], String),
            _safe(Team.name),
            _safe(Area.name),
            _safe(Place.name),
        ],
        [
            _safe(User.display_name),
            _safe(workers.c.joined),
            _labelled(Shift.review_status, ReviewStatus, labels).label("review"),
            contacts.c.occurred_at.label("sort_at"),
            literal(KIND_RANK[kind], Integer).label("sort_rank"),
            contacts.c.public_id.label("sort_id"),
        ],
        workers,
    )


def _of_shift(query: Select, contacts, workers) -> Select:
    return (
        query.join(Shift, Shift.id == contacts.c.shift_id)
        .join(Team, Team.id == Shift.team_id)
        .join(Area, Area.id == Shift.area_id)
        .outerjoin(workers, workers.c.key == Shift.id)
    )


def _anonymous(user, wanted, time_text, labels: Labels, dialect: str) -> Select:
    contacts = (
        anonymous_contacts(user, wanted)
        .with_only_columns(
            AnonymousContact.id,
            AnonymousContact.occurred_at,
            AnonymousContact.public_id,
            AnonymousContact.shift_id,
            AnonymousContact.place_id,
            AnonymousContact.youth_count,
            AnonymousContact.created_by_id,
        )
        .cte("anonymous")
    )
    counts = (
        select(
            contacts.c.id.label("contact_id"),
            *(
                func.max(case((ContactCount.category == str(category), ContactCount.count)))
                for category in CATEGORIES
            ),
        )
        .select_from(contacts)  # from the contacts: SQLite would read every count first
        .join(ContactCount, ContactCount.contact_id == contacts.c.id)
        .group_by(contacts.c.id)
        .subquery()
    )
    topics = _codes(ContactTopic, ContactTopic.topic, list(Topic), contacts, labels, dialect)
    actions = _codes(ContactAction, ContactAction.action, list(Action), contacts, labels, dialect)
    first, last, workers = _cells(contacts, ContactKind.ANONYMOUS, time_text, labels, dialect)
    query = select(
        *first,
        contacts.c.youth_count,
        *(func.coalesce(column, 0) for column in list(counts.c)[1:]),
        _safe(topics.c.joined),
        _safe(actions.c.joined),
        null(),
        *last,
    ).select_from(contacts)
    return (
        _of_shift(query, contacts, workers)
        .join(Place, Place.id == contacts.c.place_id)
        .join(User, User.id == contacts.c.created_by_id)
        .outerjoin(counts, counts.c.contact_id == contacts.c.id)
        .outerjoin(topics, topics.c.key == contacts.c.id)
        .outerjoin(actions, actions.c.key == contacts.c.id)
    )


def _named(user, wanted, time_text, labels: Labels, dialect: str) -> Select:
    contacts = (
        identified_contacts(user, wanted)
        .with_only_columns(
            IdentifiedContact.id,
            IdentifiedContact.occurred_at,
            IdentifiedContact.public_id,
            IdentifiedContact.shift_id,
            IdentifiedContact.place_id,
            IdentifiedContact.author_id,
        )
        .cte("named")
    )
    before, _alias, after = labels.protected.partition("{}")
    alias = case(
        (Youth.protected_identity, literal(before, String) + Youth.alias + literal(after, String)),
        else_=Youth.alias,
    )
    youths = _joined(
        select(
            contacts.c.id.label("key"),
            alias.label("text"),
            Youth.alias.label("position"),
        )
        .select_from(contacts)
        .join(identified_contact_youth, identified_contact_youth.c.contact_id == contacts.c.id)
        .join(Youth, Youth.id == identified_contact_youth.c.youth_id),
        dialect,
    ).subquery()
    first, last, workers = _cells(contacts, ContactKind.IDENTIFIED, time_text, labels, dialect)
    query = select(
        *first,
        func.coalesce(youths.c.count, 0),
        *(null() for _category in CATEGORIES),
        null(),
        null(),
        _safe(youths.c.joined),
        *last,
    ).select_from(contacts)
    return (
        _of_shift(query, contacts, workers)
        .outerjoin(Place, Place.id == contacts.c.place_id)
        .join(User, User.id == contacts.c.author_id)
        .outerjoin(youths, youths.c.key == contacts.c.id)
    )


def statement(user: User, wanted: ReviewFilter, labels: Labels, time_text: bool) -> Select:
    """The filtered contacts as the export's rows in the list's order: time (as text, or as
    the moment itself for a spreadsheet), kind, team, area, place, youths, a column per
    gender and age band, topics, actions, named youths, logged by, out together, review."""
    dialect = db.session.get_bind().dialect.name
    kinds = []
    if wanted.wants_anonymous:
        kinds.append(_anonymous(user, wanted, time_text, labels, dialect))
    if wanted.wants_identified:
        kinds.append(_named(user, wanted, time_text, labels, dialect))
    rows = (union_all(*kinds) if len(kinds) > 1 else kinds[0]).subquery()
    *cells, at, rank, public_id = rows.c
    if wanted.oldest_first:
        return select(*cells).order_by(at, rank, public_id)
    return select(*cells).order_by(at.desc(), rank.desc(), public_id.desc())
