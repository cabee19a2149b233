"""The numbers municipalities follow up on, per team and period, built from the log itself.

Contacts are grouped by `occurred_on`, their Stockholm calendar day, so a contact at 23:30 on
the last day of a month counts in that month on every database. Handoffs are grouped by the
Stockholm day they were sent. Nothing here reads the access log, and nothing is counted per
member of staff.
"""

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select

from outreach.clock import hours_and_minutes, now, start_of_day
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Area, Team
from outreach.risk.models import RiskMarking, RiskMarkingWithdrawal
from outreach.shifts.models import (
    AnonymousContact,
    ContactAction,
    ContactCount,
    ContactTopic,
    Shift,
)
from outreach.vocabulary import (
    GENDER_PLURAL,
    Action,
    AgeBand,
    Gender,
    HandoffStatus,
    Period,
    RiskLevel,
    Topic,
)
from outreach.youths.models import IdentifiedContact, Youth, identified_contact_youth

#: Counts from 1 to this are not shown where numbers leave the team.
SMALL_COUNT = 4
#: What a hidden count shows (as Statistics Sweden marks figures left out).
SUPPRESSED = ".."
LONGEST_CUSTOM_PERIOD = timedelta(days=3 * 366)


# --- the period -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsPeriod:
    """A stretch of Stockholm calendar days, both ends included."""

    kind: Period
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == Period.WEEK:
            year, week, _day = self.start.isocalendar()
            return str(_l("Week %(week)d, %(year)d", week=week, year=year))
        if self.kind == Period.MONTH:
            return format_date(self.start, "LLLL yyyy")
        if self.kind == Period.YEAR:
            return str(self.start.year)
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @property
    def previous(self) -> date:
        """A day in the period before (for ‹ links)."""
        return self.start - timedelta(days=1)

    @property
    def next(self) -> date:
        return self.end + timedelta(days=1)


def period_for(
    kind: Period, anchor: date, start: date | None = None, end: date | None = None
) -> StatsPeriod:
    """The week, month or year the anchor day falls in, or the custom days given."""
    if kind == Period.WEEK:
        first = anchor - timedelta(days=anchor.weekday())
        return StatsPeriod(kind, first, first + timedelta(days=6))
    if kind == Period.MONTH:
        first = anchor.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return StatsPeriod(kind, first, following - timedelta(days=1))
    if kind == Period.YEAR:
        return StatsPeriod(kind, date(anchor.year, 1, 1), date(anchor.year, 12, 31))
    if start is None or end is None:
        raise RuleViolation(_l("Give both a start and an end date."), "start")
    if end < start:
        raise RuleViolation(_l("The end date is before the start date."), "end")
    if end - start > LONGEST_CUSTOM_PERIOD:
        raise RuleViolation(_l("A period can be at most three years long."), "end")
    return StatsPeriod(kind, start, end)


# --- tables ----------------------------------------------------------------------------------


@dataclass
class StatTable:
    """A table of figures: a label column, then numbers. Each is shown with a chart.

    `partition` tables add up to their total row (each youth counted once), so hiding one
    small cell is not enough: the total would give it away.
    """

    key: str
    title: str
    headers: list[str]
    rows: list[list]
    total: list | None = None
    partition: bool = False
    #: How the chart shows it: "bar", "hbar" or "line"; None for a table without chart.
    chart: str | None = "bar"
    note: str = ""

    @property
    def rows_with_total(self) -> list[list]:
        """The rows followed by the total row, if any (as an export writes them)."""
        return [*self.rows, *([self.total] if self.total else [])]

    @property
    def has_visible_numbers(self) -> bool:
        """Some count is shown (a chart of hidden counts only would be empty)."""
        return any(
            isinstance(v, int) and not isinstance(v, bool) and v > 0
            for row in self.rows
            for v in row[1:]
        )

    @property
    def is_empty(self) -> bool:
        return not any(
            (isinstance(v, int) and v) or v == SUPPRESSED for row in self.rows for v in row[1:]
        )


def _small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= SMALL_COUNT


def _gives_away(values: list[int]) -> bool:
    """Whether hidden cells of a column whose total is shown can be worked out: one alone, or
    several that can only be all 1s or all 4s."""
    count, total = len(values), sum(values)
    return count == 1 or total in (count, SMALL_COUNT * count)


def suppress(table: StatTable) -> StatTable:
    """The table with counts of 1–4 hidden. In a partition (where the rows add up to the total
    shown) further cells of the column are hidden, smallest first, until the hidden ones cannot
    be worked out from the total."""
    rows = [list(row) for row in table.rows]
    for column in range(1, len(table.headers)):
        hidden = {i for i, row in enumerate(rows) if _small(row[column])}
        while table.partition and hidden and _gives_away([rows[i][column] for i in hidden]):
            others = [
                (row[column], i)
                for i, row in enumerate(rows)
                if i not in hidden and isinstance(row[column], int) and row[column] > 0
            ]
            if not others:
                break  # the total is small too, and hidden below
            hidden.add(min(others)[1])
        for i in hidden:
            rows[i][column] = SUPPRESSED
    total = None
    if table.total is not None:
        total = [SUPPRESSED if _small(value) else value for value in table.total]
    return replace(table, rows=rows, total=total)


# --- the figures -----------------------------------------------------------------------------


@dataclass
class HandoffFigures:
    """How handoffs sent in the period went, and how fast VPC reached the youth."""

    sent: int = 0
    acknowledged: int = 0
    first_contact: int = 0
    accepted: int = 0
    declined: int = 0
    withdrawn: int = 0
    breaches: int = 0
    within_clock: int = 0
    #: Handoffs whose clock has stopped or run out (the base of the share within it).
    clock_ended: int = 0
    to_acknowledge: list[timedelta] = field(default_factory=list)
    to_first_contact: list[timedelta] = field(default_factory=list)

    @property
    def share_within_clock(self) -> float | None:
        return self.within_clock / self.clock_ended if self.clock_ended else None


def median(values: list[timedelta]) -> timedelta | None:
    """The middle value (mean of the two middle ones for an even count)."""
    return statistics.median(values) if values else None


def percentile_90(values: list[timedelta]) -> timedelta | None:
    """The 90th percentile by nearest rank: 9 of 10 were this fast or faster."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@dataclass
class Statistics:
    """Every table of one statistics page."""

    period: StatsPeriod
    teams: list[Team]
    tables: list[StatTable]
    handoffs: HandoffFigures
    suppressed: bool = False


def _contacts_in(team_ids, period: StatsPeriod) -> tuple:
    """The conditions on AnonymousContact for the teams' contacts in the period (applied to
    the table itself: one index range on team and day)."""
    return (
        AnonymousContact.team_id.in_(team_ids),
        AnonymousContact.occurred_on.between(period.start, period.end),
    )


def _named_in(team_ids, period: StatsPeriod) -> tuple:
    """The conditions on IdentifiedContact likewise, corrections left out."""
    return (
        IdentifiedContact.team_id.in_(team_ids),
        IdentifiedContact.occurred_on.between(period.start, period.end),
        IdentifiedContact.corrects_id.is_(None),
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks(team_ids, period: StatsPeriod) -> StatTable:
    anonymous = db.session.execute(
        select(
            AnonymousContact.occurred_on,
            func.count(),
            func.coalesce(func.sum(AnonymousContact.youth_count), 0),
        )
        .where(*_contacts_in(team_ids, period))
        .group_by(AnonymousContact.occurred_on)
    ).all()
    named = db.session.execute(
        select(
            IdentifiedContact.occurred_on,
            func.count(distinct(IdentifiedContact.id)),
            func.count(),
        )
        .join(
            identified_contact_youth,
            identified_contact_youth.c.contact_id == IdentifiedContact.id,
        )
        .where(*_named_in(team_ids, period))
        .group_by(IdentifiedContact.occurred_on)
    ).all()
    weeks: dict[date, list[int]] = {}
    monday = _monday(period.start)
    while monday <= period.end:
        weeks[monday] = [0, 0, 0, 0]
        monday += timedelta(days=7)
    for day, contacts, youths in anonymous:
        week = weeks[_monday(day)]
        week[0] += contacts
        week[1] += int(youths)
    for day, contacts, youths in named:
        week = weeks[_monday(day)]
        week[2] += contacts
        week[3] += youths
    rows = []
    for monday, figures in weeks.items():
        year, number, _day = monday.isocalendar()
        rows.append([str(_l("w. %(week)d %(year)d", week=number, year=year)), *figures])
    total = [str(_l("Total")), *(sum(row[i] for row in rows) for i in range(1, 5))]
    return StatTable(
        "weeks",
        str(_l("Contacts and youths met per week")),
        [
            str(_l("Week")),
            str(_l("Anonymous contacts")),
            str(_l("Youths met (anonymous)")),
            str(_l("Contacts with named youths")),
            str(_l("Meetings with named youths")),
        ],
        rows,
        total=total,
        partition=True,
        chart="line" if len(rows) > 8 else "bar",
    )


def _areas(team_ids, period: StatsPeriod) -> StatTable:
    anonymous = db.session.execute(
        select(Area.name, func.count(), func.coalesce(func.sum(AnonymousContact.youth_count), 0))
        .select_from(AnonymousContact)
        .join(Shift, Shift.id == AnonymousContact.shift_id)
        .join(Area, Area.id == Shift.area_id)
        .where(*_contacts_in(team_ids, period))
        .group_by(Area.name)
    ).all()
    named = dict(
        db.session.execute(
            select(Area.name, func.count())
            .select_from(IdentifiedContact)
            .join(Shift, Shift.id == IdentifiedContact.shift_id)
            .join(Area, Area.id == Shift.area_id)
            .where(*_named_in(team_ids, period))
            .group_by(Area.name)
        ).all()
    )
    figures = {name: [count, int(youths), named.pop(name, 0)] for name, count, youths in anonymous}
    for name, count in named.items():
        figures[name] = [0, 0, count]
    rows = [[name, *values] for name, values in sorted(figures.items())]
    return StatTable(
        "areas",
        str(_l("Contacts by area")),
        [
            str(_l("Area")),
            str(_l("Anonymous contacts")),
            str(_l("Youths met (anonymous)")),
            str(_l("Contacts with named youths")),
        ],
        rows,
        total=[str(_l("Total")), *(sum(row[i] for row in rows) for i in range(1, 4))],
        partition=True,
        chart="hbar",
    )


def _youths_by(team_ids, period: StatsPeriod, members, labels, key, title, heading) -> StatTable:
    """Youths met in anonymous contacts by gender or by age band, with those not told."""
    counted = dict(
        db.session.execute(
            select(ContactCount.category, func.sum(ContactCount.count))
            .join(AnonymousContact, AnonymousContact.id == ContactCount.contact_id)
            .where(
                *_contacts_in(team_ids, period),
                ContactCount.category.in_([str(m) for m in members]),
            )
            .group_by(ContactCount.category)
        ).all()
    )
    everyone = db.session.execute(
        select(func.coalesce(func.sum(AnonymousContact.youth_count), 0)).where(
            *_contacts_in(team_ids, period)
        )
    ).scalar_one()
    rows = [[str(labels[m]), int(counted.get(str(m), 0))] for m in members]
    rows.append([str(_l("Not noted")), int(everyone) - sum(row[1] for row in rows)])
    return StatTable(
        key,
        title,
        [heading, str(_l("Youths"))],
        rows,
        total=[str(_l("Total")), int(everyone)],
        partition=True,
    )


def _chosen(team_ids, period, model, column, members, key, title, heading) -> StatTable:
    """How many anonymous contacts touched each topic (or took each action)."""
    counted = dict(
        db.session.execute(
            select(column, func.count())
            .join(AnonymousContact, AnonymousContact.id == model.contact_id)
            .where(*_contacts_in(team_ids, period))
            .group_by(column)
        ).all()
    )
    rows = [[str(m.label), int(counted.get(m, 0))] for m in members]
    return StatTable(
        key,
        title,
        [heading, str(_l("Anonymous contacts"))],
        rows,
        chart="hbar",
        note=str(_l("A contact can touch several, so the rows do not add up.")),
    )


def _risk_levels(team_ids) -> StatTable:
    """The teams' youths by their current level of concern, today."""
    latest = (
        select(func.max(RiskMarking.id).label("id"))
        .join(Youth, Youth.id == RiskMarking.youth_id)
        .where(Youth.team_id.in_(team_ids))
        .group_by(RiskMarking.youth_id)
    )
    levels = dict(
        db.session.execute(
            select(RiskMarking.level, func.count())
            .outerjoin(RiskMarkingWithdrawal, RiskMarkingWithdrawal.marking_id == RiskMarking.id)
            .where(RiskMarking.id.in_(latest), RiskMarkingWithdrawal.id.is_(None))
            .group_by(RiskMarking.level)
        ).all()
    )
    youths = db.session.execute(
        select(func.count()).select_from(Youth).where(Youth.team_id.in_(team_ids))
    ).scalar_one()
    rows = [[str(level.label), int(levels.get(level, 0))] for level in RiskLevel]
    rows.append([str(_l("No current marking")), youths - sum(row[1] for row in rows)])
    return StatTable(
        "risk",
        str(_l("Registered youths by current level of concern (today)")),
        [str(_l("Level")), str(_l("Youths"))],
        rows,
        total=[str(_l("Total")), youths],
        partition=True,
    )


def _handoff_figures(team_ids, period: StatsPeriod) -> HandoffFigures:
    handoffs = db.session.execute(
        select(Handoff).where(
            Handoff.from_team_id.in_(team_ids),
            Handoff.sent_at >= start_of_day(period.start),
            Handoff.sent_at < start_of_day(period.end + timedelta(days=1)),
        )
    ).scalars()
    figures = HandoffFigures()
    moment = now()
    for handoff in handoffs:
        reached = Counter(event.status for event in handoff.events)
        acknowledged = next(
            (e.at for e in handoff.events if e.status == HandoffStatus.ACKNOWLEDGED), None
        )
        figures.sent += 1
        figures.acknowledged += acknowledged is not None
        figures.first_contact += handoff.first_contact_at is not None
        figures.accepted += bool(reached[HandoffStatus.ACCEPTED])
        figures.declined += bool(reached[HandoffStatus.DECLINED])
        figures.withdrawn += bool(reached[HandoffStatus.WITHDRAWN])
        figures.breaches += handoff.breached_at is not None
        if acknowledged is not None:
            figures.to_acknowledge.append(acknowledged - handoff.sent_at)
        if handoff.first_contact_at is not None:
            figures.to_first_contact.append(handoff.first_contact_at - handoff.sent_at)
            figures.clock_ended += 1
            figures.within_clock += handoff.first_contact_at <= handoff.first_contact_due_at
        elif handoff.breached_at is not None or (
            handoff.first_contact_due_at <= moment and not reached[HandoffStatus.WITHDRAWN]
        ):
            figures.clock_ended += 1
    return figures


def _handoff_tables(figures: HandoffFigures, suppressed: bool) -> list[StatTable]:
    share = figures.share_within_clock

    def shown(count: int):
        return SUPPRESSED if suppressed and _small(count) else count

    def timing(values: list[timedelta], measure) -> str:
        if suppressed and _small(len(values)):
            return SUPPRESSED  # one handoff's time, or few, tells about that youth
        value = measure(values)
        return hours_and_minutes(value) if value is not None else "–"

    statuses = StatTable(
        "handoffs",
        str(_l("Handoffs to VPC sent in the period")),
        [str(_l("Step")), str(_l("Handoffs"))],
        [
            [str(_l("Handoffs sent")), figures.sent],
            [str(_l("Handoffs acknowledged")), figures.acknowledged],
            [str(_l("With first contact made")), figures.first_contact],
            [str(_l("Handoffs accepted")), figures.accepted],
            [str(_l("Handoffs declined")), figures.declined],
            [str(_l("Handoffs withdrawn")), figures.withdrawn],
            [str(_l("First-contact deadline missed")), figures.breaches],
        ],
        chart="hbar",
    )

    speed = StatTable(
        "speed",
        str(_l("How fast VPC responded")),
        [str(_l("Measure")), str(_l("Median")), str(_l("90th percentile")), str(_l("Handoffs"))],
        [
            [
                str(_l("Time to acknowledgement")),
                timing(figures.to_acknowledge, median),
                timing(figures.to_acknowledge, percentile_90),
                len(figures.to_acknowledge),
            ],
            [
                str(_l("Time to first contact")),
                timing(figures.to_first_contact, median),
                timing(figures.to_first_contact, percentile_90),
                len(figures.to_first_contact),
            ],
        ],
        chart=None,
        note=str(
            _l(
                "Within the first-contact clock: %(share)s (%(within)s of %(ended)s handoffs "
                "whose clock has stopped or run out).",
                share=(
                    SUPPRESSED
                    if shown(figures.clock_ended) == SUPPRESSED
                    else f"{share:.0%}"
                    if share is not None
                    else "–"
                ),
                within=shown(figures.within_clock),
                ended=shown(figures.clock_ended),
            )
        ),
    )
    return [statuses, speed]


def compute(teams: list[Team], period: StatsPeriod, suppressed: bool = False) -> Statistics:
    """Every figure of the statistics page for these teams and this period."""
    team_ids = [team.id for team in teams]
    handoffs = _handoff_figures(team_ids, period)
    tables = [
        _weeks(team_ids, period),
        _areas(team_ids, period),
        _youths_by(
            team_ids,
            period,
            list(Gender),
            GENDER_PLURAL,
            "gender",
            str(_l("Youths met by gender (anonymous contacts)")),
            str(_l("Gender")),
        ),
        _youths_by(
            team_ids,
            period,
            list(AgeBand),
            {band: band.label for band in AgeBand},
            "age",
            str(_l("Youths met by age (anonymous contacts)")),
            str(_l("Age")),
        ),
        _chosen(
            team_ids,
            period,
            ContactTopic,
            ContactTopic.topic,
            list(Topic),
            "topics",
            str(_l("Topics talked about")),
            str(_l("Topic")),
        ),
        _chosen(
            team_ids,
            period,
            ContactAction,
            ContactAction.action,
            list(Action),
            "actions",
            str(_l("Actions taken")),
            str(_l("Action")),
        ),
        _risk_levels(team_ids),
        *_handoff_tables(handoffs, suppressed),
    ]
    if suppressed:
        tables = [suppress(table) for table in tables]
    return Statistics(period, teams, tables, handoffs, suppressed)


def by_key(stats: Statistics) -> dict[str, StatTable]:
    """The tables by their key (tests and the report pick single tables)."""
    return {table.key: table for table in stats.tables}
