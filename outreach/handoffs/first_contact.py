"""The first-contact clock (DOMAIN.md rule 7): from "skickad" the receiving unit has a number of
hours to make first contact; at 75 % of them the unit's team lead is warned, at 100 % the
handoff is overdue, escalated to that lead and counted as a breach. `flask handoffs tick` runs
it every minute."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update

from outreach import audit
from outreach.audit import AuditAction
from outreach.auth.models import Role, User
from outreach.auth.units import unit_members
from outreach.clock import now
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.handoffs.services import link_to
from outreach.notifications import services as notifications
from outreach.vocabulary import HandoffStatus

#: At this share of the time to first contact, the unit's team lead is warned.
WARN_AT = 0.75


@dataclass
class TickResult:
    """What one run of the clock did."""

    warned: int = 0
    breached: int = 0


def tick(base_url: str, moment: datetime | None = None) -> TickResult:
    """Warn at 75 % of the time to first contact and record breaches at 100 %.

    Safe to run every minute on several machines at once: each warning and breach is claimed
    by a conditional UPDATE (and candidates are locked with SKIP LOCKED on PostgreSQL), so it
    happens exactly once. A run after a pause catches up: a deadline missed while nobody was
    looking is still recorded, even if first contact came later.
    """
    moment = moment or now()
    result = TickResult()
    leads: dict[int, list[User]] = {}
    candidates = (
        db.session.execute(
            select(Handoff)
            .where(
                Handoff.breached_at.is_(None),
                Handoff.sent_at <= moment,
                # the clock still runs, or first contact came late and the breach is not
                # recorded yet (a catch-up); handoffs handled in time never come back here
                or_(
                    Handoff.status.in_((HandoffStatus.SENT, HandoffStatus.ACKNOWLEDGED)),
                    Handoff.first_contact_at > Handoff.first_contact_due_at,
                ),
            )
            .order_by(Handoff.first_contact_due_at)
            .with_for_update(skip_locked=True, of=Handoff)
        )
        .scalars()
        .all()
    )
    for handoff in candidates:
        link = link_to(handoff, base_url)
        span = handoff.first_contact_due_at - handoff.sent_at
        if (
            handoff.warned_at is None
            and handoff.first_contact_at is None
            and moment >= handoff.sent_at + span * WARN_AT
            and _claim_once(handoff, Handoff.warned_at, moment)
        ):
            notifications.notify(_leads(leads, handoff), "warning", handoff, link=link, mail=True)
            result.warned += 1
        contacted_in_time = (
            handoff.first_contact_at is not None
            and handoff.first_contact_at <= handoff.first_contact_due_at
        )
        if (
            moment >= handoff.first_contact_due_at
            and not contacted_in_time
            and _claim_once(handoff, Handoff.breached_at, moment)
        ):
            notifications.notify(_leads(leads, handoff), "overdue", handoff, link=link, mail=True)
            audit.record_about(
                AuditAction.UPDATE, "handoff", handoff, user_id=None, detail="first contact overdue"
            )
            result.breached += 1
    return result


def _leads(known: dict[int, list[User]], handoff: Handoff) -> list[User]:
    """The team leads of the handoff's unit (each unit's looked up once a run)."""
    if handoff.to_unit_id not in known:
        known[handoff.to_unit_id] = unit_members(handoff.to_unit_id, Role.TEAM_LEAD)
    return known[handoff.to_unit_id]


def _claim_once(handoff: Handoff, column, moment: datetime) -> bool:
    """Set a once-only timestamp if nobody has; True for the one run that did."""
    done = db.session.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id, column.is_(None))
        .values({column.key: moment})
        .execution_options(synchronize_session=False)
    ).rowcount
    return done == 1


def breaches(unit_ids: list[int], since: datetime | None = None) -> int:
    """How many first-contact deadlines the units missed (since a moment, or ever)."""
    query = select(func.count(Handoff.id)).where(
        Handoff.to_unit_id.in_(unit_ids), Handoff.breached_at.is_not(None)
    )
    if since is not None:
        query = query.where(Handoff.breached_at >= since)
    return db.session.execute(query).scalar_one()
