"""Time in one place: UTC in the database, Europe/Stockholm on screen."""

import calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

LOCAL_ZONE = ZoneInfo("Europe/Stockholm")


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def to_local(moment: datetime) -> datetime:
    """The same instant on the Stockholm wall clock."""
    return moment.astimezone(LOCAL_ZONE)


def from_local(naive: datetime) -> datetime:
    """A Stockholm wall-clock time (as typed in a form) as aware UTC."""
    return naive.replace(tzinfo=LOCAL_ZONE).astimezone(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware.

    PostgreSQL keeps the zone (timestamptz); SQLite keeps naive text, so the zone is
    restored on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


__all__ = [
    "LOCAL_ZONE",
    "UTCDateTime",
    "from_local",
    "hours_and_minutes",
    "local_date",
    "months_after",
    "now",
    "start_of_day",
    "start_of_today",
    "to_local",
    "today",
]


def hours_and_minutes(delta: timedelta) -> str:
    """A duration as "5 h 20 min" (the sign is dropped)."""
    minutes = int(abs(delta.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def start_of_day(day: date) -> datetime:
    """Midnight that began the day on the Stockholm calendar, as aware UTC."""
    return datetime.combine(day, datetime.min.time(), LOCAL_ZONE).astimezone(UTC)


def start_of_today() -> datetime:
    """Midnight that began today on the Stockholm calendar, as aware UTC."""
    return start_of_day(today())


def local_date(moment: datetime) -> date:
    """The Stockholm calendar day an instant falls on (23:30 on 31 October is October)."""
    return to_local(moment).date()


def today() -> date:
    """Today's date on the Stockholm calendar."""
    return local_date(now())


def months_after(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier, when negative); the last day
    of the month when that month is shorter (31 January + 1 month is 28 or 29 February, and
    29 February + 12 months is 28 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
