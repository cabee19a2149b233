"""Loggkontroll: who read, exported or printed which of the team's youths, and when, with the
accesses that deserve a second look flagged.

An access is flagged when
- it happened at night (22–06 on the Stockholm clock) and the user was not out on a shift;
- the youth has protected identity;
- the user opened the record (read, export, print) without ever having met the youth: not
  out on a shift with a contact with them, not the one who registered them, not a lead of
  the youth's team, and not VPC staff reading a youth handed over to VPC;
- a field worker or lead opened the records of many youths (ACCESS_REVIEW_MANY_YOUTHS) living
  outside the areas of their own shifts in the period.

The flags point the team lead at accesses to ask about; they say nothing on their own. The
log is read here one page at a time and is never counted per user for statistics.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, select, union

from outreach import audit, policy, refusals
from outreach.audit import ACCESSES, AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.clock import start_of_day, to_local, today
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Team
from outreach.shifts.models import Shift, shift_worker
from outreach.vocabulary import AccessFlag
from outreach.youths.duplicates import youth_ids_of
from outreach.youths.models import IdentifiedContact, Youth, YouthMerge, identified_contact_youth

#: Accesses that open the record itself (a list only shows that the youth exists).
OPENINGS = (AuditAction.READ, AuditAction.EXPORT, AuditAction.PRINT)
#: The lists of the data-protection pages themselves, as their audit rows name them: in the
#: audit trail and in the extract, but not shown in the loggkontroll, where each look at the
#: log would add rows to it.
LISTED_IN_LOG, LISTED_IN_GALLRING, LISTED_IN_REQUESTS = (
    "access log",
    "gallring",
    "register extracts",
)
OWN_LISTS = (LISTED_IN_LOG, LISTED_IN_GALLRING, LISTED_IN_REQUESTS)
NIGHT_STARTS, NIGHT_ENDS = 22, 6
#: The period shown when none is chosen: the last 30 days.
DEFAULT_DAYS = 30
PAGE_SIZE = 50
#: Rows read at a time while looking for flagged ones.
BATCH = 500


@dataclass
class AccessFilter:
    """What part of the log to show: of the kommun, the accesses to the teams' youths."""

    kommun_id: int
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


def record_listed(user: User, youth_ids: list[int], what: str) -> None:
    """Write that one of the data-protection pages listed these youths to the user (its
    audit rows name the page: `what`, one of OWN_LISTS)."""
    audit.record_youths(
        AuditAction.LIST, youth_ids, user_id=user.id, kommun_id=user.kommun_id, detail=what
    )


def refusals_of(chosen: AccessFilter) -> list[refusals.Refusal]:
    """The refused accesses of the chosen teams' staff in the period (of the chosen person
    only, if one is), those close together flagged."""
    staff = select(User.id).where(User.all_teams.any(Team.id.in_(chosen.team_ids)))
    if chosen.user_id is not None:
        staff = staff.where(User.id == chosen.user_id)
    end = start_of_day(chosen.date_to + timedelta(days=1))
    found = refusals.listed(chosen.kommun_id, start_of_day(chosen.date_from), end, staff)
    return [refusal for refusal in found if refusal.in_burst or not chosen.flagged_only]


def _shown():
    """The audit rows the loggkontroll shows: accesses, but not its own lists."""
    return and_(
        AuditEvent.action.in_(ACCESSES),
        ~and_(AuditEvent.action == AuditAction.LIST, AuditEvent.detail.in_(OWN_LISTS)),
    )


def _statement(chosen: AccessFilter):
    statement = select(AuditEvent).where(
        AuditEvent.kommun_id == chosen.kommun_id,
        _shown(),
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
    flagger = Flagger(chosen.kommun_id, chosen.date_from, chosen.date_to)
    for rows in _batches(chosen, before):
        for access in flagger.flag(rows):
            if chosen.flagged_only and not access.flags:
                continue
            found.append(access)
            if len(found) == PAGE_SIZE:
                return found, access.event.seq
    return found, None


def totals(chosen: AccessFilter) -> tuple[int, int]:
    """How many accesses the filter covers, and how many of them are flagged."""
    accesses = flagged = 0
    flagger = Flagger(chosen.kommun_id, chosen.date_from, chosen.date_to)
    for rows in _batches(chosen, None):
        for access in flagger.flag(rows):
            accesses += 1
            flagged += bool(access.flags)
    return accesses, flagged


def latest_of(youth: Youth, limit: int = 20) -> list[Access]:
    """The latest accesses to one youth's record (for its page), flagged."""
    date_from, date_to = AccessFilter.default_period()
    rows = list(
        db.session.execute(
            select(AuditEvent)
            .where(
                AuditEvent.kommun_id == youth.kommun_id,
                _shown(),
                AuditEvent.youth_id.in_(youth_ids_of(youth)),
            )
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        ).scalars()
    )
    return Flagger(youth.kommun_id, date_from, date_to).flag(rows)


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


class Flagger:
    """Flags accesses over one period, batch by batch, remembering what it learned of each
    user (who they are, whether they read widely outside their areas)."""

    def __init__(self, kommun_id: int, date_from: date, date_to: date):
        self.kommun_id, self.date_from, self.date_to = kommun_id, date_from, date_to
        self.users: dict[int, User] = {}
        #: user id → the areas of their shifts if they read widely outside them, else None
        self.wide: dict[int, set[int] | None] = {}

    def _load_users(self, ids: set[int]) -> None:
        missing = ids - set(self.users)
        if missing:
            for user in db.session.execute(select(User).where(User.id.in_(missing))).scalars():
                self.users[user.id] = user

    def _met(self, users: set[int], youths: dict[int, Youth]) -> set[tuple[int, int]]:
        """(user id, youth id) of the users who met the youths: out on a shift with a contact
        with them, or registered them. A lead of the youth's team, and VPC for a youth handed
        over to it, count as having met them: reading those records is their work."""
        kept = {youth.id: youth for youth in youths.values()}
        met = {(youth.created_by_id, youth.id) for youth in kept.values()}
        vpc = [self.users[u] for u in users if u in self.users and policy.unit_staff(self.users[u])]
        handed_over = set()
        if vpc:
            handed_over = set(
                db.session.execute(
                    select(Handoff.youth_id).where(Handoff.youth_id.in_(list(kept)))
                ).scalars()
            )
        for user_id in users:
            user = self.users.get(user_id)
            if user is None:
                continue
            for youth in kept.values():
                if policy.leads_team_of(user, youth) or (user in vpc and youth.id in handed_over):
                    met.add((user_id, youth.id))
        rows = db.session.execute(
            select(shift_worker.c.user_id, identified_contact_youth.c.youth_id)
            .join(IdentifiedContact, IdentifiedContact.shift_id == shift_worker.c.shift_id)
            .join(
                identified_contact_youth,
                identified_contact_youth.c.contact_id == IdentifiedContact.id,
            )
            .where(
                shift_worker.c.user_id.in_(users),
                identified_contact_youth.c.youth_id.in_(list(kept)),
            )
            .distinct()
        )
        return met | {(user_id, youth_id) for user_id, youth_id in rows}

    def _reading_widely(self, users: set[int]) -> None:
        """Find out, once per user, whether field staff opened the records of many youths
        living outside the areas of their own shifts in the period (VPC has no areas)."""
        threshold = current_app.config["ACCESS_REVIEW_MANY_YOUTHS"]
        start = start_of_day(self.date_from)
        end = start_of_day(self.date_to + timedelta(days=1))
        for user_id in users - set(self.wide):
            user = self.users.get(user_id)
            self.wide[user_id] = None
            if user is None or not policy.field_staff(user):
                continue
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
                    AuditEvent.kommun_id == self.kommun_id,
                    AuditEvent.user_id == user_id,
                    AuditEvent.action.in_(OPENINGS),
                    AuditEvent.occurred_at >= start,
                    AuditEvent.occurred_at < end,
                    Youth.home_area_id.is_not(None),
                    Youth.home_area_id.not_in(own_areas),
                )
            ).scalar_one()
            if outside >= threshold:
                self.wide[user_id] = own_areas

    def flag(self, events: list[AuditEvent]) -> list[Access]:
        """The accesses with their youths and flags (a few queries for the whole batch)."""
        if not events:
            return []
        users = {event.user_id for event in events if event.user_id}
        self._load_users(users)
        youths = _youths_of(events)
        spans = _on_shift(events)
        met = self._met(users, youths)
        self._reading_widely(users)
        accesses = []
        for event in events:
            youth = youths.get(event.youth_id)
            flags = []
            if _at_night(event, spans):
                flags.append(AccessFlag.NIGHT)
            if youth is not None and youth.protected_identity:
                flags.append(AccessFlag.PROTECTED)
            opened = event.action in OPENINGS and youth is not None
            if opened and (event.user_id, youth.id) not in met:
                flags.append(AccessFlag.NEVER_MET)
            areas = self.wide.get(event.user_id)
            if opened and areas is not None and youth.home_area_id not in (None, *areas):
                flags.append(AccessFlag.MANY_OUTSIDE_AREAS)
            accesses.append(Access(event, youth, flags))
        return accesses
