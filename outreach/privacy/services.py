"""The rules of legal holds, register-extract requests and the team lead's access-log reviews."""

from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach import audit, policy, scopes
from outreach.audit import AuditAction
from outreach.auth.models import Role, User
from outreach.auth.units import receiving_units, unit_members
from outreach.clock import months_after, now, today
from outreach.errors import Conflict, RuleViolation
from outreach.extensions import db
from outreach.org.models import Team
from outreach.privacy import access_log, retention
from outreach.privacy.models import AccessRequest, AccessReview, LegalHold
from outreach.vocabulary import Requester
from outreach.youths.duplicates import move_rows
from outreach.youths.models import Youth

#: The longest text of a reason, a finding or a delivery note.
MAX_TEXT = 4000
#: How far back a request may be dated when it is registered late.
EARLIEST_RECEIVED_DAYS = 366


# --- legal holds ------------------------------------------------------------------------------


def _active_holds(youth: Youth) -> list[LegalHold]:
    return list(
        db.session.execute(
            select(LegalHold)
            .where(LegalHold.youth_id == youth.id, LegalHold.lifted_at.is_(None))
            .order_by(LegalHold.id.desc())
        ).scalars()
    )


def active_hold(youth: Youth) -> LegalHold | None:
    """The legal hold on the youth's record now, if any (the latest, when two records with
    a hold each were merged)."""
    holds = _active_holds(youth)
    return holds[0] if holds else None


def holds_of(youth: Youth) -> list[LegalHold]:
    """Every legal hold on the record, newest first."""
    return list(
        db.session.execute(
            select(LegalHold).where(LegalHold.youth_id == youth.id).order_by(LegalHold.id.desc())
        ).scalars()
    )


def set_hold(user: User, youth: Youth, reason: str) -> LegalHold:
    """Keep the record past its retention time, for a stated reason (a team lead)."""
    policy.keeps_records_of.require(user, youth)
    if not reason.strip():
        raise RuleViolation(_l("Say why the record must be kept."), "reason")
    if active_hold(youth) is not None:
        raise Conflict(_l("The record already has a legal hold."))
    hold = LegalHold(youth_id=youth.id, reason=reason.strip(), set_by_id=user.id)
    db.session.add(hold)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        "legal_hold",
        hold.id,
        user_id=user.id,
        kommun_id=youth.kommun_id,
        youth_id=youth.id,
    )
    return hold


def lift_hold(user: User, youth: Youth) -> LegalHold:
    """Lift the legal hold; the record follows the retention rule again (a team lead)."""
    policy.keeps_records_of.require(user, youth)
    holds = _active_holds(youth)
    if not holds:
        raise Conflict(_l("The record has no legal hold to lift."))
    for hold in holds:
        hold.lifted_at, hold.lifted_by_id = now(), user.id
        audit.record(
            AuditAction.UPDATE,
            "legal_hold",
            hold.id,
            user_id=user.id,
            kommun_id=youth.kommun_id,
            youth_id=youth.id,
            detail="lift",
        )
    db.session.flush()
    return holds[0]


# --- register extracts (registerutdrag) -----------------------------------------------------


def due_date(received_on: date) -> date:
    """A request is answered within one month of its receipt."""
    return months_after(received_on, 1)


def register_request(
    user: User, youth: Youth, *, requested_by: Requester | None, received_on: date | None
) -> AccessRequest:
    """Register a request for a register extract about the youth (a team lead)."""
    policy.keeps_records_of.require(user, youth)
    if requested_by is None:
        raise RuleViolation(_l("Choose who asked for the extract."), "requested_by")
    if received_on is None:
        raise RuleViolation(_l("Give the day the request was received."), "received_on")
    if received_on > today():
        raise RuleViolation(_l("The day received cannot be in the future."), "received_on")
    if (today() - received_on).days > EARLIEST_RECEIVED_DAYS:
        raise RuleViolation(_l("The day received is more than a year ago."), "received_on")
    request = AccessRequest(
        youth_id=youth.id,
        requested_by=requested_by,
        received_on=received_on,
        due_on=due_date(received_on),
        registered_by_id=user.id,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        "access_request",
        request.id,
        user_id=user.id,
        kommun_id=youth.kommun_id,
        youth_id=youth.id,
    )
    return request


def requests_of(youth: Youth) -> list[AccessRequest]:
    """The youth's register-extract requests, newest first."""
    return list(
        db.session.execute(
            select(AccessRequest)
            .where(AccessRequest.youth_id == youth.id)
            .order_by(AccessRequest.id.desc())
        ).scalars()
    )


def open_requests(user: User) -> list[AccessRequest]:
    """Requests about youths of the teams the user leads that are not yet delivered, the
    earliest due first."""
    if not policy.leads_field_team(user):
        return []
    return list(
        db.session.execute(
            select(AccessRequest)
            .join(Youth, Youth.id == AccessRequest.youth_id)
            .where(
                Youth.team_id.in_([team.id for team in user.field_teams]),
                AccessRequest.delivered_on.is_(None),
            )
            .order_by(AccessRequest.due_on, AccessRequest.id)
        ).scalars()
    )


def urgency(request: AccessRequest) -> str:
    """ "overdue", "soon" (within ACCESS_REQUEST_WARN_DAYS) or "" for an open request."""
    if not request.is_open:
        return ""
    if request.due_on < today():
        return "overdue"
    if (request.due_on - today()).days <= current_app.config["ACCESS_REQUEST_WARN_DAYS"]:
        return "soon"
    return ""


def count_urgent(requests: list[AccessRequest]) -> int:
    """How many of the open requests are due within a week or overdue."""
    return sum(1 for request in requests if urgency(request))


def record_extract(user: User, request: AccessRequest, form: str) -> None:
    """Write to the access log that the extract was produced (as a page, PDF or JSON)."""
    policy.keeps_records_of.require(user, request.youth)
    request.produced_at = now()
    db.session.flush()
    audit.record(
        AuditAction.EXPORT,
        "youth",
        request.youth_id,
        user_id=user.id,
        kommun_id=request.youth.kommun_id,
        youth_id=request.youth_id,
        detail=f"registerutdrag:{form}",
    )


def mark_delivered(
    user: User, request: AccessRequest, *, delivered_on: date | None, note: str
) -> AccessRequest:
    """Record that the extract was delivered, when and how (a team lead)."""
    policy.keeps_records_of.require(user, request.youth)
    if not request.is_open:
        raise Conflict(_l("The extract is already recorded as delivered."))
    if request.produced_at is None:
        raise RuleViolation(_l("Produce the extract before recording its delivery."))
    if delivered_on is None:
        raise RuleViolation(_l("Give the day the extract was delivered."), "delivered_on")
    if delivered_on > today():
        raise RuleViolation(_l("The day delivered cannot be in the future."), "delivered_on")
    if delivered_on < request.received_on:
        raise RuleViolation(
            _l("The day delivered cannot be before the request was received."), "delivered_on"
        )
    request.delivered_on, request.delivered_by_id = delivered_on, user.id
    request.delivery_note = note.strip()
    db.session.flush()
    audit.record(
        AuditAction.UPDATE,
        "access_request",
        request.id,
        user_id=user.id,
        kommun_id=request.youth.kommun_id,
        youth_id=request.youth_id,
        detail="delivered",
    )
    return request


# --- the team lead's review of the access log (loggkontroll) --------------------------------


def record_review(
    user: User,
    team: Team | None,
    *,
    period_from: date | None,
    period_to: date | None,
    findings: str,
    follow_up: str,
) -> AccessReview:
    """Record a review of the team's access log over a period, with what was found and what
    follows from it."""
    if team is None or team not in user.field_teams or not policy.leads_field_team(user):
        raise RuleViolation(_l("Choose a team you lead."), "team")
    if period_from is None or period_to is None:
        raise RuleViolation(_l("Give the period the review covers."), "period_from")
    if period_to < period_from:
        raise RuleViolation(_l("The end date is before the start date."), "period_to")
    if period_to > today():
        raise RuleViolation(_l("The period cannot end in the future."), "period_to")
    if not findings.strip():
        raise RuleViolation(
            _l("Write what the review found (“nothing to remark” is a finding)."), "findings"
        )
    accesses, flagged = access_log.totals(
        access_log.AccessFilter(
            kommun_id=team.kommun_id,
            team_ids=[team.id],
            date_from=period_from,
            date_to=period_to,
        )
    )
    review = AccessReview(
        team_id=team.id,
        period_from=period_from,
        period_to=period_to,
        accesses=accesses,
        flagged=flagged,
        findings=findings.strip(),
        follow_up=follow_up.strip(),
        reviewed_by_id=user.id,
    )
    db.session.add(review)
    db.session.flush()
    return review


def access_log_people(user: User) -> list[User]:
    """Whose accesses the loggkontroll can be narrowed to: the lead's teams' field staff and
    the kommun's receiving units' staff (who read the youths handed over), by name."""
    workers = db.session.execute(scopes.team_workers(user)).scalars()
    units = [unit.id for unit in receiving_units(user.kommun_id)]
    vpc = unit_members(units, Role.CASEWORKER, Role.TEAM_LEAD)
    return sorted({*workers, *vpc}, key=lambda person: person.display_name)


def reviews(user: User) -> list[AccessReview]:
    """The recorded reviews of the teams the user leads, newest first."""
    if not policy.leads_field_team(user):
        return []
    return list(
        db.session.execute(
            select(AccessReview)
            .where(AccessReview.team_id.in_([team.id for team in user.field_teams]))
            .order_by(AccessReview.reviewed_at.desc(), AccessReview.id.desc())
        ).scalars()
    )


def record_keeping(user: User, youth: Youth) -> dict | None:
    """The record-keeping part of a youth's page, for a lead of its team: where it stands in
    retention, legal holds, register-extract requests and the latest accesses."""
    if not policy.leads_team_of(user, youth):
        return None
    return {
        "status": retention.status_of(youth),
        "hold": active_hold(youth),
        "holds": holds_of(youth),
        "requests": requests_of(youth),
        "urgency": urgency,
        "accesses": access_log.latest_of(youth),
    }


def reassign(duplicate: Youth, kept: Youth) -> dict[str, int]:
    """A merge: the duplicate's legal holds and register-extract requests are the kept
    record's now (how many of each)."""
    return {
        "legal_holds": move_rows(LegalHold, duplicate, kept),
        "access_requests": move_rows(AccessRequest, duplicate, kept),
    }
