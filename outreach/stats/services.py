"""The numbers municipalities follow up on, per team and period, built from the log itself.

Contacts are grouped by `occurred_on`, their Stockholm calendar day, so a contact at 23:30 on
the last day of a month counts in that month on every database. Handoffs are grouped by the
Stockholm day they were sent. Nothing here reads the access log, and nothing is counted per
member of staff.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select

from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.risk.models import RiskMarking, RiskMarkingWithdrawal
from outreach.shifts.models import (
    AnonymousContact,
    ContactAction,
    ContactCount,
    ContactTopic,
    Shift,
)
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
from outreach.youths.models import IdentifiedContact, Youth, identified_contact_youth


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


def _youths_by(contacts: tuple, members, labels, key, title, heading) -> StatTable:
    """Youths met in the anonymous contacts (the conditions `contacts`) by gender or by age
    band, with those not told."""
    counted = dict(
        db.session.execute(
            select(ContactCount.category, func.sum(ContactCount.count))
            .join(AnonymousContact, AnonymousContact.id == ContactCount.contact_id)
            .where(*contacts, ContactCount.category.in_([str(m) for m in members]))
            .group_by(ContactCount.category)
        ).all()
    )
    everyone = db.session.execute(
        select(func.coalesce(func.sum(AnonymousContact.youth_count), 0)).where(*contacts)
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


def _chosen(contacts: tuple, model, column, members, key, title, heading) -> StatTable:
    """How many anonymous contacts (the conditions `contacts`) touched each topic (or took
    each action)."""
    counted = dict(
        db.session.execute(
            select(column, func.count())
            .join(AnonymousContact, AnonymousContact.id == model.contact_id)
            .where(*contacts)
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


def anonymous_tables(contacts: tuple) -> list[StatTable]:
    """The anonymous contacts' tallies (the conditions `contacts` pick them): youths met by
    gender and by age, topics talked about, actions taken."""
    return [
        _youths_by(
            contacts,
            list(Gender),
            GENDER_PLURAL,
            "gender",
            str(_l("Youths met by gender (anonymous contacts)")),
            str(_l("Gender")),
        ),
        _youths_by(
            contacts,
            list(AgeBand),
            {band: band.label for band in AgeBand},
            "age",
            str(_l("Youths met by age (anonymous contacts)")),
            str(_l("Age")),
        ),
        _chosen(
            contacts,
            ContactTopic,
            ContactTopic.topic,
            list(Topic),
            "topics",
            str(_l("Topics talked about")),
            str(_l("Topic")),
        ),
        _chosen(
            contacts,
            ContactAction,
            ContactAction.action,
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
    tables = [
        _weeks(team_ids, period),
        _areas(team_ids, period),
        *anonymous_tables(_contacts_in(team_ids, period)),
        _risk_levels(team_ids),
        *handoff_tables(handoffs, suppressed),
    ]
    if suppressed:
        tables = [suppress(table) for table in tables]
    return Statistics(period, teams, tables, handoffs, suppressed)


def by_key(stats: Statistics) -> dict[str, StatTable]:
    """The tables by their key (tests and the report pick single tables)."""
    return {table.key: table for table in stats.tables}
