"""The team's log as the review list shows it: the filtered contacts, anonymous and named, a
page at a time in keyset order (the export: log_export.py). Plain values read without ORM
objects, so a page is a handful of queries.

Keyset pagination (outreach/paging.py): anonymous and named contacts live in two tables; each
is read in the same order and the two sorted runs are merged.
"""

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ScalarSelect, Select, String, cast, func, select, type_coerce

from outreach import audit
from outreach.audit import AuditAction
from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Area, Place, Team
from outreach.paging import Cursor, in_order
from outreach.review.filters import (
    PAGE_SIZE,
    Page,
    ReviewFilter,
    anonymous_contacts,
    identified_contacts,
)
from outreach.shifts.models import (
    AnonymousContact,
    ContactAction,
    ContactCount,
    ContactTopic,
    Shift,
    shift_worker,
)
from outreach.vocabulary import Action, ContactKind, ReviewStatus, Topic
from outreach.youths.models import IdentifiedContact, Youth, identified_contact_youth

#: Breaks ties between an anonymous and a named contact logged at the same instant.
KIND_RANK = {ContactKind.ANONYMOUS: 0, ContactKind.IDENTIFIED: 1}


def _merged(runs: list[Iterable], wanted: ReviewFilter) -> Iterator:
    """Two sorted runs (anonymous, named) as one, in the wanted order."""
    return heapq.merge(*runs, key=lambda row: row.cursor, reverse=not wanted.oldest_first)


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
    a page is a handful of queries."""

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
    a page's details come with its rows, in one statement."""
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


def record_listed(user: User, youth_ids: list[int], what: str) -> None:
    """Write that a page of the list showed the user these youths."""
    audit.record_youths(
        AuditAction.LIST, youth_ids, user_id=user.id, kommun_id=user.kommun_id, detail=what
    )


def record_exported(user: User, youth_ids: list[int], what: str) -> None:
    """Write that an export of the list holds these youths (written before it is sent)."""
    audit.record_youths(
        AuditAction.EXPORT, youth_ids, user_id=user.id, kommun_id=user.kommun_id, detail=what
    )


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
