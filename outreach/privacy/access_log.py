"""Loggkontroll: who read, exported or printed which of the team's youths, and when, with the
accesses that deserve a second look flagged.

An access is flagged when
- it happened at night (22–06 on the Stockholm clock) and the user was not out on a shift;
- the youth has protected identity;
- the user opened the record (read, export, print) without ever having met the youth: not
  out on a shift with a contact with them, not the one who registered them, and not a lead
  of the youth's team;
- the user opened the records of many youths (ACCESS_REVIEW_MANY_YOUTHS) living outside the
  areas of the user's own shifts in the period.

The flags point the team lead at accesses to ask about; they say nothing on their own. The
log is read here one page at a time and is never counted per user for statistics.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, union

from outreach import policy
from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.clock import start_of_day, to_local, today
from outreach.extensions import db
from outreach.shifts.models import Shift, shift_worker
from outreach.vocabulary import AccessFlag
from outreach.youths.merge import youth_ids_of
from outreach.youths.models import IdentifiedContact, Youth, YouthMerge, identified_contact_youth

#: What counts as an access to a record.
ACCESSES = (AuditAction.READ, AuditAction.LIST, AuditAction.EXPORT, AuditAction.PRINT)
#: Accesses that open the record itself (a list only shows that the youth exists).
OPENINGS = (AuditAction.READ, AuditAction.EXPORT, AuditAction.PRINT)
NIGHT_STARTS, NIGHT_ENDS = 22, 6
#: The period shown when none is chosen: the last 30 days.
DEFAULT_DAYS = 30
PAGE_SIZE = 50
#: Rows read at a time while looking for flagged ones.
BATCH = 500


@dataclass
class AccessFilter:
    """What part of the log to show."""

    team_ids: list[int]
    date_from: date
    date_to: date
    youth: Youth | None = None
    user_id: int | None = None
    flagged_only: bool = False

    @classmethod
    def default_period(cls) -> tuple[date, date]:
        return today() - timedelta(days=DEFAULT_DAYS - 1), today()


@dataclass
class Access:
    """One access, the youth it concerns (the kept record, for a merged one) and its flags."""

    event: AuditEvent
    youth: Youth | None
    flags: list[AccessFlag] = field(default_factory=list)


def team_youth_ids(team_ids: list[int]):
    """The ids under which the teams' youths appear in the log (records merged into them
    included)."""
    kept = select(Youth.id).where(Youth.team_id.in_(team_ids))
    merged = select(YouthMerge.merged_youth_id).where(
        YouthMerge.kept_youth_id.in_(select(Youth.id).where(Youth.team_id.in_(team_ids)))
    )
    return union(kept, merged)


def _statement(chosen: AccessFilter):
    statement = select(AuditEvent).where(
        AuditEvent.action.in_(ACCESSES),
        AuditEvent.youth_id.in_(team_youth_ids(chosen.team_ids)),
        AuditEvent.occurred_at >= start_of_day(chosen.date_from),
        AuditEvent.occurred_at < start_of_day(chosen.date_to + timedelta(days=1)),
    )
    if chosen.youth is not None:
        statement = statement.where(AuditEvent.youth_id.in_(youth_ids_of(chosen.youth)))
    if chosen.user_id is not None:
        statement = statement.where(AuditEvent.user_id == chosen.user_id)
    return statement


def _batches(chosen: AccessFilter, before: int | None) -> Iterator[list[AuditEvent]]:
    while True:
        statement = _statement(chosen)
        if before is not None:
            statement = statement.where(AuditEvent.seq < before)
        rows = list(
            db.session.execute(statement.order_by(AuditEvent.seq.desc()).limit(BATCH)).scalars()
        )
        if not rows:
            return
        yield rows
        before = rows[-1].seq


def page(chosen: AccessFilter, before: int | None = None) -> tuple[list[Access], int | None]:
    """A page of accesses, newest first, from before the row `before` (a seq); and the seq
    to continue from, or None at the end."""
    found: list[Access] = []
    for rows in _batches(chosen, before):
        for access in flag(rows, chosen.date_from, chosen.date_to):
            if chosen.flagged_only and not access.flags:
                continue
            found.append(access)
            if len(found) == PAGE_SIZE:
                return found, access.event.seq
    return found, None


def totals(chosen: AccessFilter) -> tuple[int, int]:
    """How many accesses the filter covers, and how many of them are flagged."""
    accesses = flagged = 0
    for rows in _batches(chosen, None):
        for access in flag(rows, chosen.date_from, chosen.date_to):
            accesses += 1
            flagged += bool(access.flags)
    return accesses, flagged


def latest_of(youth: Youth, limit: int = 20) -> list[Access]:
    """The latest accesses to one youth's record (for its page), flagged."""
    date_from, date_to = AccessFilter.default_period()
    rows = list(
        db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.action.in_(ACCESSES), AuditEvent.youth_id.in_(youth_ids_of(youth)))
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        ).scalars()
    )
    return flag(rows, date_from, date_to)


# --- flags ------------------------------------------------------------------------------------


def _youths_of(events: list[AuditEvent]) -> dict[int, Youth]:
    """The youth record each logged youth id stands for now (merged ids: the kept record)."""
    ids = {event.youth_id for event in events}
    youths = {
        youth.id: youth
        for youth in db.session.execute(select(Youth).where(Youth.id.in_(ids))).scalars()
    }
    missing = ids - set(youths)
    if missing:
        for merged_id, kept in db.session.execute(
            select(YouthMerge.merged_youth_id, Youth)
            .join(Youth, Youth.id == YouthMerge.kept_youth_id)
            .where(YouthMerge.merged_youth_id.in_(missing))
        ):
            youths[merged_id] = kept
    return youths


def _on_shift(events: list[AuditEvent]) -> dict[int, list[tuple[datetime, datetime | None]]]:
    users = {event.user_id for event in events if event.user_id}
    earliest = min(event.occurred_at for event in events)
    latest = max(event.occurred_at for event in events)
    spans: dict[int, list] = {}
    rows = db.session.execute(
        select(shift_worker.c.user_id, Shift.started_at, Shift.ended_at)
        .join(Shift, Shift.id == shift_worker.c.shift_id)
        .where(
            shift_worker.c.user_id.in_(users),
            Shift.started_at <= latest,
            (Shift.ended_at.is_(None)) | (Shift.ended_at >= earliest),
        )
    )
    for user_id, started, ended in rows:
        spans.setdefault(user_id, []).append((started, ended))
    return spans


def _at_night(event: AuditEvent, spans) -> bool:
    hour = to_local(event.occurred_at).hour
    if NIGHT_ENDS <= hour < NIGHT_STARTS:
        return False
    return not any(
        started <= event.occurred_at and (ended is None or event.occurred_at <= ended)
        for started, ended in spans.get(event.user_id, [])
    )


def _met(events: list[AuditEvent], youths: dict[int, Youth]) -> set[tuple[int, int]]:
    """(user id, youth id) of the users who met the youths: out on a shift with a contact with
    them, or registered them. A lead of the youth's team counts as having met them: reading
    every record of the team is part of leading it."""
    users = {event.user_id for event in events if event.user_id}
    youth_ids = {youth.id for youth in youths.values()}
    met = {(youth.created_by_id, youth.id) for youth in youths.values()}
    for user in db.session.execute(select(User).where(User.id.in_(users))).scalars():
        met |= {(user.id, y.id) for y in youths.values() if policy.leads_team_of(user, y)}
    rows = db.session.execute(
        select(shift_worker.c.user_id, identified_contact_youth.c.youth_id)
        .join(IdentifiedContact, IdentifiedContact.shift_id == shift_worker.c.shift_id)
        .join(
            identified_contact_youth,
            identified_contact_youth.c.contact_id == IdentifiedContact.id,
        )
        .where(
            shift_worker.c.user_id.in_(users),
            identified_contact_youth.c.youth_id.in_(youth_ids),
        )
        .distinct()
    )
    return met | {(user_id, youth_id) for user_id, youth_id in rows}


def _reading_widely(users: set[int], date_from: date, date_to: date) -> dict[int, set[int]]:
    """Users who opened the records of many youths living outside the areas of their own
    shifts in the period, with those areas."""
    threshold = current_app.config["ACCESS_REVIEW_MANY_YOUTHS"]
    start, end = start_of_day(date_from), start_of_day(date_to + timedelta(days=1))
    wide = {}
    for user_id in users:
        own_areas = set(
            db.session.execute(
                select(Shift.area_id)
                .join(shift_worker, shift_worker.c.shift_id == Shift.id)
                .where(
                    shift_worker.c.user_id == user_id,
                    Shift.started_at >= start,
                    Shift.started_at < end,
                )
            ).scalars()
        )
        outside = db.session.execute(
            select(func.count(func.distinct(AuditEvent.youth_id)))
            .join(Youth, Youth.id == AuditEvent.youth_id)
            .where(
                AuditEvent.user_id == user_id,
                AuditEvent.action.in_(OPENINGS),
                AuditEvent.occurred_at >= start,
                AuditEvent.occurred_at < end,
                Youth.home_area_id.is_not(None),
                Youth.home_area_id.not_in(own_areas),
            )
        ).scalar_one()
        if outside >= threshold:
            wide[user_id] = own_areas
    return wide


def flag(events: list[AuditEvent], date_from: date, date_to: date) -> list[Access]:
    """The accesses with their youths and flags (a few queries for the whole list)."""
    if not events:
        return []
    youths = _youths_of(events)
    spans = _on_shift(events)
    met = _met(events, youths)
    wide = _reading_widely({e.user_id for e in events if e.user_id}, date_from, date_to)
    accesses = []
    for event in events:
        youth = youths.get(event.youth_id)
        flags = []
        if _at_night(event, spans):
            flags.append(AccessFlag.NIGHT)
        if youth is not None and youth.protected_identity:
            flags.append(AccessFlag.PROTECTED)
        opened = event.action in OPENINGS
        if opened and youth is not None and (event.user_id, youth.id) not in met:
            flags.append(AccessFlag.NEVER_MET)
        if (
            opened
            and event.user_id in wide
            and youth is not None
            and youth.home_area_id is not None
            and youth.home_area_id not in wide[event.user_id]
        ):
            flags.append(AccessFlag.MANY_OUTSIDE_AREAS)
        accesses.append(Access(event, youth, flags))
    return accesses
