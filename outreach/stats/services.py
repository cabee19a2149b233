"""The numbers municipalities follow up on, per team and period, built from the log itself.

Contacts are summed from their daily tallies (outreach/youths/tallies.py), by the Stockholm
calendar day they occurred, so a contact at 23:30 on the last day of a month counts in that
month on every database. Handoffs are grouped by the Stockholm day they were sent. Nothing
here reads the access log, and nothing is counted per member of staff.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.risk.models import RiskMarking, RiskMarkingWithdrawal
from outreach.stats.handoff_figures import HandoffFigures, handoff_figures, handoff_tables
from outreach.stats.periods import StatsPeriod
from outreach.stats.tables import StatTable, suppress
from outreach.vocabulary import (
    GENDER_PLURAL,
    Action,
    AgeBand,
    Gender,
    RiskLevel,
    Topic,
)
from outreach.youths.models import Youth
from outreach.youths.tallies import (
    ACTION,
    CONTACTS,
    COUNTED,
    MEETINGS,
    NAMED,
    TOPIC,
    YOUTHS,
    ContactTally,
)


@dataclass
class Statistics:
    """Every table of one statistics page."""

    period: StatsPeriod
    teams: list[Team]
    tables: list[StatTable]
    handoffs: HandoffFigures
    suppressed: bool = False


def _tallied_in(team_ids, period: StatsPeriod) -> tuple:
    """The conditions on the contacts' tallies of the teams in the period (one index range
    on team and day)."""
    return (
        ContactTally.team_id.in_(team_ids),
        ContactTally.day.between(period.start, period.end),
    )


def sums(where: tuple, *by, measures: list[str] | None = None) -> list:
    """The tallies the conditions pick, summed per `by` (columns) and measure."""
    if measures is not None:
        where = (*where, ContactTally.measure.in_(measures))
    return db.session.execute(
        select(*by, ContactTally.measure, func.sum(ContactTally.n))
        .where(*where)
        .group_by(*by, ContactTally.measure)
    ).all()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


#: The columns of the weekly table, by measure.
_WEEKLY = [CONTACTS, YOUTHS, NAMED, MEETINGS]


def _weeks(where: tuple, period: StatsPeriod) -> StatTable:
    weeks: dict[date, list[int]] = {}
    monday = _monday(period.start)
    while monday <= period.end:
        weeks[monday] = [0, 0, 0, 0]
        monday += timedelta(days=7)
    for day, measure, n in sums(where, ContactTally.day, measures=_WEEKLY):
        weeks[_monday(day)][_WEEKLY.index(measure)] += int(n)
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


#: The columns of the table of areas, by measure.
_BY_AREA = [CONTACTS, YOUTHS, NAMED]


def _areas(where: tuple) -> StatTable:
    figures: dict[str, list[int]] = {}
    for name, measure, n in sums(
        (*where, Area.id == ContactTally.area_id), Area.name, measures=_BY_AREA
    ):
        figures.setdefault(name, [0, 0, 0])[_BY_AREA.index(measure)] += int(n)
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


def _youths_by(totals: dict, members, labels, key, title, heading) -> StatTable:
    """Youths met in the anonymous contacts (their `totals` by measure) by gender or by age
    band, with those not told."""
    everyone = totals.get(YOUTHS, 0)
    rows = [[str(labels[m]), totals.get(COUNTED + str(m), 0)] for m in members]
    rows.append([str(_l("Not noted")), everyone - sum(row[1] for row in rows)])
    return StatTable(
        key,
        title,
        [heading, str(_l("Youths"))],
        rows,
        total=[str(_l("Total")), everyone],
        partition=True,
        chart="hbar",
    )


def _chosen(totals: dict, prefix: str, members, key, title, heading) -> StatTable:
    """How many anonymous contacts (their `totals` by measure) touched each topic (or took
    each action)."""
    rows = [[str(m.label), totals.get(prefix + m.value, 0)] for m in members]
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
    # The latest ids joined first, not `id IN (…)`: the planner then reads only those.
    latest = (
        select(func.max(RiskMarking.id).label("id"))
        .join(Youth, Youth.id == RiskMarking.youth_id)
        .where(Youth.team_id.in_(team_ids))
        .group_by(RiskMarking.youth_id)
        .subquery()
    )
    levels = dict(
        db.session.execute(
            select(RiskMarking.level, func.count())
            .select_from(latest)
            .join(RiskMarking, RiskMarking.id == latest.c.id)
            .outerjoin(RiskMarkingWithdrawal, RiskMarkingWithdrawal.marking_id == RiskMarking.id)
            .where(RiskMarkingWithdrawal.id.is_(None))
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
        chart="hbar",
    )


def anonymous_tables(where: tuple) -> list[StatTable]:
    """The anonymous contacts' tallies (the conditions `where` on ContactTally pick them):
    youths met by gender and by age, topics talked about, actions taken."""
    anonymous = (*where, ContactTally.measure.not_in([NAMED, MEETINGS]))
    totals = {measure: int(n) for measure, n in sums(anonymous)}
    return [
        _youths_by(
            totals,
            list(Gender),
            GENDER_PLURAL,
            "gender",
            str(_l("Youths met by gender (anonymous contacts)")),
            str(_l("Gender")),
        ),
        _youths_by(
            totals,
            list(AgeBand),
            {band: band.label for band in AgeBand},
            "age",
            str(_l("Youths met by age (anonymous contacts)")),
            str(_l("Age")),
        ),
        _chosen(
            totals,
            TOPIC,
            list(Topic),
            "topics",
            str(_l("Topics talked about")),
            str(_l("Topic")),
        ),
        _chosen(
            totals,
            ACTION,
            list(Action),
            "actions",
            str(_l("Actions taken")),
            str(_l("Action")),
        ),
    ]


def compute(teams: list[Team], period: StatsPeriod, suppressed: bool = False) -> Statistics:
    """Every figure of the statistics page for these teams and this period."""
    team_ids = [team.id for team in teams]
    handoffs = handoff_figures(team_ids, period)
    tallied = _tallied_in(team_ids, period)
    tables = [
        _weeks(tallied, period),
        _areas(tallied),
        *anonymous_tables(tallied),
        _risk_levels(team_ids),
        *handoff_tables(handoffs, suppressed),
    ]
    if suppressed:
        tables = [suppress(table) for table in tables]
    return Statistics(period, teams, tables, handoffs, suppressed)


def by_key(stats: Statistics) -> dict[str, StatTable]:
    """The tables by their key (tests and the report pick single tables)."""
    return {table.key: table for table in stats.tables}
