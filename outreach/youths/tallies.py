"""The contacts counted: each team's anonymous and named contacts summed per day, area and
measure, kept in the same transaction as the contacts, so that a year's statistics read a few
thousand sums instead of a year of contacts and their rows.

A contact logged adds to its day's tallies (one statement). Any other change recounts the
days it touches from the contacts themselves: the days of the contacts (and of their counts,
topics, actions and named youths) that a flush changes or deletes (`_count_flushed`), and the
days of the named contacts that a statement the ORM does not see changes (`recounting`,
around an erasure or a merge). A recount is the same grouping as a rebuild from scratch,
limited to the days, so a tally is always what a fresh count gives (`mismatches` compares
them: the tests, and `flask ops tallies`).

On PostgreSQL a recount holds its days alone until it commits (an advisory lock), and adding
holds them shared: a recount waits for those adding to commit and then counts what they
wrote, and those adding after it wait for it. Two transactions adding to one tally wait for
each other on its row. SQLite has one writer at a time. What a savepoint counted is undone
with it.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from itertools import chain

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    cast,
    delete,
    event,
    func,
    insert,
    inspect,
    literal_column,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from outreach.extensions import db, upsert_insert
from outreach.org.models import kommun_key
from outreach.shifts.models import (
    AnonymousContact,
    ContactAction,
    ContactCount,
    ContactTopic,
    Shift,
)
from outreach.youths.models import IdentifiedContact, identified_contact_youth

#: The measures: anonymous contacts, the youths met in them, contacts with named youths (not
#: their corrections) and the youths named in those (meetings).
CONTACTS, YOUTHS, NAMED, MEETINGS = "contacts", "youths", "named", "meetings"
#: Prefixes of the anonymous contacts' tallies: youths met by a gender or age-band code, and
#: contacts by a topic or an action code.
COUNTED, TOPIC, ACTION = "count:", "topic:", "action:"

#: What a contact's day is recounted for when it changes (its other columns count for nothing).
_COUNTED_COLUMNS = {
    "team_id",
    "occurred_on",
    "shift_id",
    "youth_count",
    "corrects_id",
    "youths",
    "counts",
    "topics",
    "actions",
}

Key = tuple[int, date]


class ContactTally(db.Model):
    """One measure of a team's contacts on one day in one area (the area of their shift)."""

    __table_args__ = (
        kommun_key("contact_tally", "team_id", "team"),
        kommun_key("contact_tally", "area_id", "area"),
        # Every kommun's tallies in a period (the national statistics).
        Index("ix_contact_tally_kommun_id_day", "kommun_id", "day"),
        # A team's tallies in a period read from the index alone (a year's sums: 4.6 ms → 1.1
        # at national scale on PostgreSQL).
        Index("ix_contact_tally_team_sums", "team_id", "day", "measure", "area_id", "n"),
    )

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(30), primary_key=True)
    kommun_id: Mapped[int] = mapped_column(ForeignKey("kommun.id"))
    n: Mapped[int] = mapped_column(Integer)


def _grouped(model, measure, value, *joins, where=(), code=None) -> Select:
    """One measure of the contacts of `model`, summed per kommun, team, day and area (and per
    `code`, the column the measure's name is made of)."""
    query = select(
        model.kommun_id,
        model.team_id,
        model.occurred_on,
        Shift.area_id,
        measure,
        value,
    ).select_from(model)
    for target, on in joins:
        query = query.join(target, on)
    query = query.join(Shift, Shift.id == model.shift_id).where(*where)
    codes = () if code is None else (code,)
    return query.group_by(model.kommun_id, model.team_id, model.occurred_on, Shift.area_id, *codes)


def _named(name: str):
    return literal_column(f"'{name}'", String)


def _coded(prefix: str, model, column, *where) -> Select:
    """The anonymous contacts per code of a row of theirs (a count's category, a topic, an
    action): youths summed for counts, contacts counted for the rest."""
    value = func.sum(model.count) if model is ContactCount else func.count()
    return _grouped(
        AnonymousContact,
        literal_column(f"'{prefix}'", String) + cast(column, String),
        value,
        (model, model.contact_id == AnonymousContact.id),
        where=where,
        code=column,
    )


def counted(anonymous: tuple = (), named: tuple = ()) -> Select:
    """Every measure counted afresh from the contacts the conditions pick (all, without)."""
    named = (*named, IdentifiedContact.corrects_id.is_(None))
    links = identified_contact_youth.c
    return union_all(
        _grouped(AnonymousContact, _named(CONTACTS), func.count(), where=anonymous),
        _grouped(
            AnonymousContact,
            _named(YOUTHS),
            func.sum(AnonymousContact.youth_count),
            where=anonymous,
        ),
        _coded(COUNTED, ContactCount, ContactCount.category, *anonymous),
        _coded(TOPIC, ContactTopic, ContactTopic.topic, *anonymous),
        _coded(ACTION, ContactAction, ContactAction.action, *anonymous),
        _grouped(IdentifiedContact, _named(NAMED), func.count(), where=named),
        _grouped(
            IdentifiedContact,
            _named(MEETINGS),
            func.count(),
            (identified_contact_youth, links.contact_id == IdentifiedContact.id),
            where=named,
        ),
    )


_TALLY_COLUMNS = ["kommun_id", "team_id", "day", "area_id", "measure", "n"]


#: The teams' days, in one order (the parameters: their teams and days as ordinals).
_DAYS = (
    "FROM (SELECT t, d FROM unnest(CAST(:teams AS integer[]), CAST(:days AS integer[]))"
    " AS k(t, d) ORDER BY t, d) AS ordered"
)
#: Hold the days alone (to recount), or shared (to add).
_HOLD = {
    False: text("SELECT count(pg_advisory_xact_lock(t, d)) " + _DAYS),
    True: text("SELECT count(pg_advisory_xact_lock_shared(t, d)) " + _DAYS),
}


def _lock(session: Session, keys: list[Key], shared: bool = False) -> None:
    """PostgreSQL: hold each day (in one order, so two transactions never wait for each other
    in a circle) until the transaction ends: alone to recount it, shared to add to it."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        _HOLD[shared],
        {"teams": [team for team, _day in keys], "days": [day.toordinal() for _t, day in keys]},
    )


def recount(keys: Iterable[Key], session: Session | None = None) -> None:
    """Count these teams' days afresh from their contacts."""
    session = session or db.session
    keys = sorted(set(keys))
    if not keys:
        return
    _lock(session, keys)
    session.execute(
        delete(ContactTally).where(tuple_(ContactTally.team_id, ContactTally.day).in_(keys))
    )
    session.execute(
        insert(ContactTally).from_select(
            _TALLY_COLUMNS,
            counted(
                (tuple_(AnonymousContact.team_id, AnonymousContact.occurred_on).in_(keys),),
                (tuple_(IdentifiedContact.team_id, IdentifiedContact.occurred_on).in_(keys),),
            ),
        )
    )


def _of_kommun(kommun_id: int | None) -> tuple[tuple, tuple, tuple]:
    """The conditions for one kommun's anonymous contacts, named contacts and tallies (none:
    every kommun's)."""
    if kommun_id is None:
        return (), (), ()
    return (
        (AnonymousContact.kommun_id == kommun_id,),
        (IdentifiedContact.kommun_id == kommun_id,),
        (ContactTally.kommun_id == kommun_id,),
    )


def rebuild(kommun_id: int | None = None) -> int:
    """Count every day afresh (of one kommun, or all): after a bulk import that went round
    the ORM. How many tallies there are now."""
    anonymous, named, mine = _of_kommun(kommun_id)
    if db.session.get_bind().dialect.name == "postgresql":
        # Writers wait until the count is committed (an adder would otherwise insert a
        # tally the count inserts too).
        db.session.execute(text("LOCK TABLE contact_tally IN SHARE ROW EXCLUSIVE MODE"))
    db.session.execute(delete(ContactTally).where(*mine))
    db.session.execute(insert(ContactTally).from_select(_TALLY_COLUMNS, counted(anonymous, named)))
    return db.session.execute(
        select(func.count()).select_from(ContactTally).where(*mine)
    ).scalar_one()


def mismatches(kommun_id: int | None = None) -> list[tuple]:
    """The tallies that differ from a fresh count, as (team, day, area, measure, kept,
    counted); none when all is well."""
    anonymous, named, mine = _of_kommun(kommun_id)
    fresh = {
        (team, day, area, measure): int(n)
        for _kommun, team, day, area, measure, n in db.session.execute(counted(anonymous, named))
    }
    kept = {
        (team, day, area, measure): n
        for team, day, area, measure, n in db.session.execute(
            select(
                ContactTally.team_id,
                ContactTally.day,
                ContactTally.area_id,
                ContactTally.measure,
                ContactTally.n,
            ).where(*mine)
        )
    }
    return sorted(
        (*key, kept.get(key), fresh.get(key))
        for key in kept.keys() | fresh.keys()
        if kept.get(key) != fresh.get(key)
    )


def _days_of_named(contact_ids: Select | list[int]) -> set[Key]:
    """The teams' days of these named contacts."""
    return {
        (team, day)
        for team, day in db.session.execute(
            select(IdentifiedContact.team_id, IdentifiedContact.occurred_on)
            .where(IdentifiedContact.id.in_(contact_ids))
            .distinct()
        )
    }


@contextmanager
def recounting(named_contact_ids: Select | list[int]) -> Iterator[None]:
    """Recount the days of these named contacts after the block has changed them (or their
    youths) with statements the ORM does not see. The ids are read before the block."""
    keys = _days_of_named(named_contact_ids)
    yield
    recount(keys)


def _changed(row) -> bool:
    state = inspect(row)
    return any(
        state.attrs[name].history.has_changes()
        for name in _COUNTED_COLUMNS
        if name in state.mapper.attrs
    )


def _keys_before_and_after(row) -> set[Key]:
    """The team's days a contact counted in before the flush and counts in after it."""
    state = inspect(row)
    days = set()
    for team in {*state.attrs.team_id.history.sum(), row.team_id} - {None}:
        for day in {*state.attrs.occurred_on.history.sum(), row.occurred_on} - {None}:
            days.add((team, day))
    return days


def _added(session: Session, row) -> list[tuple]:
    """What a newly logged contact adds, as (kommun, team, day, area, measure, n)."""
    shift = row.__dict__.get("shift") or session.get(Shift, row.shift_id)
    where = (row.kommun_id, row.team_id, row.occurred_on, shift.area_id)
    if isinstance(row, IdentifiedContact):
        if row.corrects_id is not None:  # a correction is not counted
            return []
        return [(*where, NAMED, 1), (*where, MEETINGS, len(row.youths))]
    return [
        (*where, CONTACTS, 1),
        (*where, YOUTHS, row.youth_count),
        *((*where, COUNTED + count.category, count.count) for count in row.counts),
        *((*where, TOPIC + str(topic.topic), 1) for topic in row.topics),
        *((*where, ACTION + str(action.action), 1) for action in row.actions),
    ]


def _add(session: Session, added: list[tuple]) -> None:
    """Add to the tallies (in one order, each tally once: PostgreSQL refuses a statement that
    updates a row twice); on PostgreSQL under a shared hold of each day, which a recount
    waits for (and which waits for a recount)."""
    if not added:  # corrections alone add nothing
        return
    summed: dict[tuple, int] = {}
    for *tally, n in added:
        summed[tuple(tally)] = summed.get(tuple(tally), 0) + n
    added = sorted((*tally, n) for tally, n in summed.items())
    keys = sorted({(team, day) for _kommun, team, day, *_rest in added})
    _lock(session, keys, shared=True)
    statement = upsert_insert(ContactTally, session).values(
        [dict(zip(_TALLY_COLUMNS, values, strict=True)) for values in added]
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["team_id", "day", "area_id", "measure"],
            set_={"n": ContactTally.n + statement.excluded.n},
        )
    )


@event.listens_for(Session, "after_flush")
def _count_flushed(session: Session, _context) -> None:
    """Count what the flush changed: a newly logged contact (with its own counts, topics and
    actions) adds to its day's tallies; the days of contacts changed or deleted (or whose
    counts, topics or actions were) are recounted."""
    new, dirty = session.new, session.dirty
    keys: set[Key] = set()
    fresh: list = []
    parents: set[int] = set()
    shifts: set[int] = set()
    for row in chain(new, dirty, session.deleted):
        if isinstance(row, AnonymousContact | IdentifiedContact):
            if row in new:
                fresh.append(row)
            elif row in dirty and not _changed(row):
                continue
            else:
                keys |= _keys_before_and_after(row)
        elif isinstance(row, ContactCount | ContactTopic | ContactAction):
            parents.add(row.contact_id)
        elif (
            isinstance(row, Shift)
            and row in dirty
            and inspect(row).attrs.area_id.history.has_changes()
        ):
            shifts.add(row.id)
    parents -= {row.id for row in fresh if isinstance(row, AnonymousContact)}
    if parents or shifts:
        keys |= {
            (team, day)
            for team, day in session.execute(
                select(AnonymousContact.team_id, AnonymousContact.occurred_on)
                .where(AnonymousContact.id.in_(parents) | AnonymousContact.shift_id.in_(shifts))
                .union(
                    select(IdentifiedContact.team_id, IdentifiedContact.occurred_on).where(
                        IdentifiedContact.shift_id.in_(shifts)
                    )
                )
            )
        }
    if keys:
        # The new contacts' days are recounted with the rest: one pass holding every day
        # alone, in one order (adding would then hold some of them shared as well).
        recount(keys | {(row.team_id, row.occurred_on) for row in fresh}, session)
    elif fresh:
        _add(session, [values for row in fresh for values in _added(session, row)])
