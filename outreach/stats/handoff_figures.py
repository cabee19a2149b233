"""The handoffs' figures of a period: how many were sent and how they ended, and how long VPC
took to first contact (median, 90th percentile, the share within the clock)."""

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach.clock import hours_and_minutes, now, start_of_day
from outreach.extensions import db
from outreach.handoffs.models import Handoff, HandoffEvent
from outreach.stats.periods import StatsPeriod
from outreach.stats.tables import SUPPRESSED, StatTable, is_small
from outreach.vocabulary import HandoffStatus


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


#: The steps a handoff's figures look for in its history.
_STEPS = (
    HandoffStatus.ACKNOWLEDGED,
    HandoffStatus.ACCEPTED,
    HandoffStatus.DECLINED,
    HandoffStatus.WITHDRAWN,
)


def _steps(sent) -> dict[int, dict[HandoffStatus, datetime]]:
    """When each of the handoffs (a subquery of ids) first reached each of _STEPS."""
    reached: dict[int, dict[HandoffStatus, datetime]] = {}
    for handoff_id, status, at in db.session.execute(
        select(HandoffEvent.handoff_id, HandoffEvent.status, HandoffEvent.at)
        .where(HandoffEvent.handoff_id.in_(sent), HandoffEvent.status.in_(_STEPS))
        .order_by(HandoffEvent.id)
    ):
        reached.setdefault(handoff_id, {}).setdefault(status, at)
    return reached


def handoff_figures(team_ids, period: StatsPeriod) -> HandoffFigures:
    """The figures of the handoffs the teams sent in the period (plain rows: a year of a
    large team's handoffs and their steps in two statements)."""
    sent = select(Handoff.id).where(
        Handoff.from_team_id.in_(team_ids),
        Handoff.sent_at >= start_of_day(period.start),
        Handoff.sent_at < start_of_day(period.end + timedelta(days=1)),
    )
    reached = _steps(sent)
    figures = HandoffFigures()
    moment = now()
    for handoff_id, sent_at, first_contact_at, due_at, breached_at in db.session.execute(
        sent.with_only_columns(
            Handoff.id,
            Handoff.sent_at,
            Handoff.first_contact_at,
            Handoff.first_contact_due_at,
            Handoff.breached_at,
        )
    ):
        steps = reached.get(handoff_id, {})
        acknowledged = steps.get(HandoffStatus.ACKNOWLEDGED)
        figures.sent += 1
        figures.acknowledged += acknowledged is not None
        figures.first_contact += first_contact_at is not None
        figures.accepted += HandoffStatus.ACCEPTED in steps
        figures.declined += HandoffStatus.DECLINED in steps
        figures.withdrawn += HandoffStatus.WITHDRAWN in steps
        figures.breaches += breached_at is not None
        if acknowledged is not None:
            figures.to_acknowledge.append(acknowledged - sent_at)
        if first_contact_at is not None:
            figures.to_first_contact.append(first_contact_at - sent_at)
            figures.clock_ended += 1
            figures.within_clock += first_contact_at <= due_at
        elif breached_at is not None or (due_at <= moment and HandoffStatus.WITHDRAWN not in steps):
            figures.clock_ended += 1
    return figures


def handoff_tables(figures: HandoffFigures, suppressed: bool) -> list[StatTable]:
    share = figures.share_within_clock

    def shown(count: int):
        return SUPPRESSED if suppressed and is_small(count) else count

    def timing(values: list[timedelta], measure) -> str:
        if suppressed and is_small(len(values)):
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
