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
from sqlalchemy import select

from outreach.extensions import db
from outreach.org.models import Kommun
from outreach.stats.periods import StatsPeriod
from outreach.stats.services import anonymous_tables, sums
from outreach.stats.tables import StatTable, suppress
from outreach.youths.tallies import CONTACTS, YOUTHS, ContactTally

#: A table of kommuner gets a chart up to this many rows (more would not be read).
CHARTED_KOMMUNER = 15
#: The columns of the tables by kommun and by month, by measure.
_COUNTED = [CONTACTS, YOUTHS]


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
    return (ContactTally.day.between(period.start, period.end),)


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
    figures = {kommun.id: [kommun.name, 0, 0] for kommun in kommuner()}
    for kommun_id, measure, n in sums(
        _in_period(period), ContactTally.kommun_id, measures=_COUNTED
    ):
        figures[kommun_id][1 + _COUNTED.index(measure)] += int(n)
    return _counted(
        "kommuner",
        _l("Anonymous contacts per kommun"),
        _l("Kommun"),
        _l("All kommuner"),
        list(figures.values()),
        "hbar" if len(figures) <= CHARTED_KOMMUNER else None,
    )


def _months(where: tuple, period: StatsPeriod) -> StatTable:
    """Anonymous contacts and youths met per calendar month of the period."""
    months: dict[date, list[int]] = {}
    month = period.start.replace(day=1)
    while month <= period.end:
        months[month] = [0, 0]
        month = (month + timedelta(days=32)).replace(day=1)
    for day, measure, n in sums(where, ContactTally.day, measures=_COUNTED):
        months[day.replace(day=1)][_COUNTED.index(measure)] += int(n)
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
    where = _in_period(period)
    if kommun is not None:
        where = (*where, ContactTally.kommun_id == kommun.id)
    tables = [
        *([] if kommun is not None else [_by_kommun(period)]),
        _months(where, period),
        *anonymous_tables(where),
    ]
    return NationalStatistics(period, kommun, [suppress(table) for table in tables])
