"""The periods statistics are counted over: a week, a month, a quarter, a year or days of the
user's choosing, each a stretch of whole Stockholm calendar days."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from outreach.errors import RuleViolation
from outreach.vocabulary import Period

LONGEST_CUSTOM_PERIOD = timedelta(days=3 * 366)


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
