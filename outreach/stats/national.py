"""The national view: the anonymous contacts' tallies of every kommun, per kommun and summed,
for the operator and the regional coordinators.

Between kommuner secrecy holds as between any two authorities, so only what is not personal
data crosses: counts of the anonymous street contacts (how many, youths met by gender and age,
topics, actions), always with small counts hidden. Nothing here reads an identified youth, a
contact naming one, a marking, a handoff, a report or the access log, and nothing is counted
per team or per member of staff.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from outreach.extensions import db
from outreach.org.models import Kommun
from outreach.shifts.models import AnonymousContact
from outreach.stats.periods import StatsPeriod
from outreach.stats.services import anonymous_tables
from outreach.stats.tables import StatTable, suppress

#: A table of kommuner gets a chart up to this many rows (more would not be read).
CHARTED_KOMMUNER = 15


@dataclass
class NationalStatistics:
    """Every table of the national page: for one kommun, or every kommun (None) summed."""

    period: StatsPeriod
    kommun: Kommun | None
    tables: list[StatTable]


def kommuner() -> list[Kommun]:
    """Every kommun of the deployment, by name."""
    return list(db.session.execute(select(Kommun).order_by(Kommun.name)).scalars())


def _in_period(period: StatsPeriod) -> tuple:
    return (AnonymousContact.occurred_on.between(period.start, period.end),)


def _counted(key: str, title, label, total_label, rows: list, chart: str | None) -> StatTable:
    """A table of anonymous contacts and youths met in them, a row a kommun or a month, with
    their total (each contact is in one row)."""
    return StatTable(
        key,
        str(title),
        [str(label), str(_l("Anonymous contacts")), str(_l("Youths met (anonymous)"))],
        rows,
        total=[str(total_label), *(sum(row[i] for row in rows) for i in (1, 2))],
        partition=True,
        chart=chart,
    )


def _by_kommun(period: StatsPeriod) -> StatTable:
    """Each kommun's anonymous contacts and youths met, every kommun listed (none: 0)."""
    found = db.session.execute(
        select(
            Kommun.name,
            func.count(AnonymousContact.id),
            func.coalesce(func.sum(AnonymousContact.youth_count), 0),
        )
        .outerjoin(
            AnonymousContact, and_(AnonymousContact.kommun_id == Kommun.id, *_in_period(period))
        )
        .group_by(Kommun.id, Kommun.name)
        .order_by(Kommun.name)
    ).all()
    rows = [[name, int(contacts), int(youths)] for name, contacts, youths in found]
    return _counted(
        "kommuner",
        _l("Anonymous contacts per kommun"),
        _l("Kommun"),
        _l("All kommuner"),
        rows,
        "hbar" if len(rows) <= CHARTED_KOMMUNER else None,
    )


def _months(contacts: tuple, period: StatsPeriod) -> StatTable:
    """Anonymous contacts and youths met per calendar month of the period."""
    by_day = db.session.execute(
        select(
            AnonymousContact.occurred_on,
            func.count(),
            func.coalesce(func.sum(AnonymousContact.youth_count), 0),
        )
        .where(*contacts)
        .group_by(AnonymousContact.occurred_on)
    ).all()
    months: dict[date, list[int]] = {}
    month = period.start.replace(day=1)
    while month <= period.end:
        months[month] = [0, 0]
        month = (month + timedelta(days=32)).replace(day=1)
    for day, count, youths in by_day:
        figures = months[day.replace(day=1)]
        figures[0] += count
        figures[1] += int(youths)
    rows = [[format_date(month, "LLL yyyy"), *figures] for month, figures in months.items()]
    return _counted(
        "months",
        _l("Anonymous contacts per month"),
        _l("Month"),
        _l("Total"),
        rows,
        "line" if len(rows) > 12 else "bar",
    )


def compute(period: StatsPeriod, kommun: Kommun | None = None) -> NationalStatistics:
    """The national tables for the period: of one kommun, or of every kommun summed (with a
    table of the kommuner side by side). Small counts are always hidden: these figures leave
    every kommun."""
    contacts = _in_period(period)
    if kommun is not None:
        contacts = (*contacts, AnonymousContact.kommun_id == kommun.id)
    tables = [
        *([] if kommun is not None else [_by_kommun(period)]),
        _months(contacts, period),
        *anonymous_tables(contacts),
    ]
    return NationalStatistics(period, kommun, [suppress(table) for table in tables])
