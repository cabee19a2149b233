"""The review list's shifts: the filtered shifts of the team, a page at a time, each with
what was logged in it."""

from dataclasses import dataclass

from sqlalchemy import Select, false, func, or_, select

from outreach import scopes
from outreach.auth.models import User
from outreach.extensions import db
from outreach.paging import Cursor, in_order
from outreach.review.filters import (
    PAGE_SIZE,
    Page,
    ReviewFilter,
    anonymous_contacts,
    identified_contacts,
    shift_conditions,
    within_dates,
)
from outreach.shifts.models import AnonymousContact, Shift
from outreach.youths.models import IdentifiedContact


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
    query = scopes.visible_shifts(user).where(Shift.id.in_(shift_conditions(user, wanted)))
    query = within_dates(query, Shift.started_at, wanted)
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
