"""Refused access: a logged-in user asked for a record out of their scope (another team's
youth by its address, a kind of record their role never opens) and was answered 404.

What is kept: who, when, the kind of record and the route; never which record, so nothing in
the trail points into another team or kommun, and the person refused is answered exactly as
if the record did not exist. The loggkontroll shows a team's refusals to its lead and the
admin sees the kommun's; several from one user within a few minutes are flagged as unusual
access. They are read one period at a time and never counted per user for statistics.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.clock import UTCDateTime, now
from outreach.extensions import db

#: The kinds of record an address names (rules.Scope.kind), as the UI names them.
KIND_LABELS = {
    "shift": _l("Shift"),
    "youth": _l("Youth"),
    "contact": _l("Contact"),
    "marking": _l("Risk marking"),
    "consent": _l("Consent"),
    "report": _l("Report of concern"),
    "handoff": _l("Handoff"),
    "request": _l("Register extract"),
    "user": _l("User"),
    "team": _l("Team"),
    "sign": _l("Warning sign"),
    "mail": _l("Mail"),
}
#: The most refusals a page lists (the latest of the period; the page says when there were more).
LISTED = 500
#: The days of refusals the admin's page lists, and the days its notice counts.
ADMIN_DAYS, NOTICE_DAYS = 30, 7
#: Where the session keeps the refusals it noted.
_NOTED = "refusals_noted"


class RefusedAccess(db.Model):
    """One request for a record out of the user's scope."""

    __tablename__ = "refused_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    #: The kommun the user acted for (None for the deployment's operator).
    kommun_id: Mapped[int | None] = mapped_column(ForeignKey("kommun.id"))
    #: The kind of record the address named (rules.Scope.kind).
    kind: Mapped[str] = mapped_column(String(20))
    #: The method and the route's rule ("GET /ungdomar/<youth:public_id>"), not the address.
    route: Mapped[str] = mapped_column(String(200))

    user = relationship("User", lazy="joined")

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def route_shown(self) -> str:
        """The route with its parts that name a record as "…" (GET /ungdomar/…)."""
        return re.sub(r"<[^>]*>", "…", self.route)


def record(user, kind: str, route: str) -> None:
    """Note that `user` was refused a record of `kind` at `route`, in the request's
    transaction; a request that fails keeps it (transaction.abandon)."""
    row = RefusedAccess(
        occurred_at=now(), user_id=user.id, kommun_id=user.kommun_id, kind=kind, route=route[:200]
    )
    db.session.add(row)
    db.session.info.setdefault(_NOTED, []).append(row)


def pending() -> list[RefusedAccess]:
    """The refusals of the session not yet committed (flushed ones too: a commit that failed
    after its flush loses them with the rollback unless they are added again)."""
    return [row for row in db.session.info.get(_NOTED, []) if not sa_inspect(row).persistent]


@dataclass
class Refusal:
    row: RefusedAccess
    #: One of several refusals of the same user within a few minutes.
    in_burst: bool


def listed(kommun_id: int, start: datetime, end: datetime, user_ids=None) -> list[Refusal]:
    """The latest refusals in the kommun in [start, end) (of these users, if given), newest
    first, each flagged when the user was refused ACCESS_REVIEW_MANY_REFUSALS times within
    ACCESS_REVIEW_REFUSAL_MINUTES."""
    statement = select(RefusedAccess).where(
        RefusedAccess.kommun_id == kommun_id,
        RefusedAccess.occurred_at >= start,
        RefusedAccess.occurred_at < end,
    )
    if user_ids is not None:  # a list, or a statement selecting them
        statement = statement.where(RefusedAccess.user_id.in_(user_ids))
    newest_first = (RefusedAccess.occurred_at.desc(), RefusedAccess.id.desc())
    rows = list(db.session.execute(statement.order_by(*newest_first).limit(LISTED)).scalars())
    burst = _in_bursts(rows)
    return [Refusal(row, row.id in burst) for row in rows]


def flagged_since(kommun_id: int, start: datetime) -> int:
    """How many of the kommun's refusals since `start` are flagged (for the admin's notice)."""
    return sum(refusal.in_burst for refusal in listed(kommun_id, start, now()))


def _in_bursts(rows: list[RefusedAccess]) -> set[int]:
    """The ids of the rows that are among `many` refusals of one user within `minutes`."""
    config = current_app.config
    many, span = config["ACCESS_REVIEW_MANY_REFUSALS"], config["ACCESS_REVIEW_REFUSAL_MINUTES"]
    by_user: dict[int, list[RefusedAccess]] = {}
    for row in sorted(rows, key=lambda row: (row.occurred_at, row.id)):
        by_user.setdefault(row.user_id, []).append(row)
    flagged = set()
    for times in by_user.values():
        first = 0
        for last, row in enumerate(times):
            while row.occurred_at - times[first].occurred_at > timedelta(minutes=span):
                first += 1
            if last - first + 1 >= many:
                flagged.update(r.id for r in times[first : last + 1])
    return flagged
