"""What the metrics count in the database at each scrape: the mail outbox, the handoffs near
and past their first-contact deadline per kommun (counts by kommun code, nothing else), and
when the workers last ran. Who may scrape: a bearer token (OUTREACH_METRICS_TOKEN) or an
address of the operator's networks (OUTREACH_METRICS_NETWORKS); anyone else gets a 404."""

import hmac
import ipaddress

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from outreach import workers
from outreach.clock import now
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.handoffs.services import OPEN
from outreach.notifications.models import OutboxMail
from outreach.org.models import Kommun

#: The share of the time to first contact after which a handoff is near its deadline (the
#: clock warns the unit's lead then).
NEAR = 0.75


def may_scrape(token: str, address: str | None, config) -> bool:
    """The scraper shows the metrics token, or asks from one of the operator's networks."""
    expected = config.get("METRICS_TOKEN") or ""
    if expected and hmac.compare_digest(token.encode(), expected.encode()):
        return True
    try:
        where = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(where in network for network in config.get("METRICS_NETWORKS", ()))


class DatabaseCollector:
    """The database's figures, asked at each scrape."""

    def collect(self):
        at = now()
        waiting = db.session.scalar(
            select(func.count()).where(OutboxMail.sent_at.is_(None), OutboxMail.dead_at.is_(None))
        )
        dead = db.session.scalar(select(func.count()).where(OutboxMail.dead_at.is_not(None)))
        outbox = GaugeMetricFamily("outreach_outbox_waiting", "Mail waiting to be delivered")
        outbox.add_metric([], waiting)
        yield outbox
        letters = GaugeMetricFamily("outreach_outbox_dead_letters", "Mail given up on")
        letters.add_metric([], dead)
        yield letters
        yield from self._handoffs(at)
        last = GaugeMetricFamily(
            "outreach_worker_last_run_timestamp_seconds",
            "When a worker last ran",
            labels=["worker"],
        )
        for name, ran in workers.last_runs().items():
            last.add_metric([name], ran.timestamp())
        yield last

    def _handoffs(self, at):
        waiting = db.session.execute(
            select(Kommun.code, Handoff.sent_at, Handoff.first_contact_due_at)
            .join(Kommun, Kommun.id == Handoff.kommun_id)
            .where(Handoff.status.in_(OPEN), Handoff.first_contact_at.is_(None))
        ).all()
        near = GaugeMetricFamily(
            "outreach_handoffs_near_deadline",
            "Handoffs past 75 % of their time to first contact, per kommun",
            labels=["kommun"],
        )
        overdue = GaugeMetricFamily(
            "outreach_handoffs_overdue",
            "Handoffs past their first-contact deadline, per kommun",
            labels=["kommun"],
        )
        counts: dict[str, list[int]] = {}
        for code, sent, due in waiting:
            tally = counts.setdefault(code, [0, 0])
            if at >= due:
                tally[1] += 1
            elif at >= sent + (due - sent) * NEAR:
                tally[0] += 1
        for code, (near_count, overdue_count) in sorted(counts.items()):
            near.add_metric([code], near_count)
            overdue.add_metric([code], overdue_count)
        yield near
        yield overdue
