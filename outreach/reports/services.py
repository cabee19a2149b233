"""The rules of a report of concern: a child under 18, one child per report, the family is not
told about violence, sexual abuse or honour-related concern, and it should go the same day."""

import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach import audit, personnummer, policy, scopes
from outreach.audit import AuditAction
from outreach.auth.models import Role, User
from outreach.auth.units import intake_unit, unit_members
from outreach.clock import now, start_of_today, today
from outreach.consent.services import ADULT_FROM, age_range
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.notifications import services as notifications
from outreach.org.models import Team
from outreach.reports.models import ReportOfConcern
from outreach.vocabulary import ConcernKind
from outreach.youths.duplicates import move_rows
from outreach.youths.models import Youth

#: Concern of these kinds must not be told to the family.
NOT_TO_BE_TOLD = {ConcernKind.VIOLENCE, ConcernKind.SEXUAL_ABUSE, ConcernKind.HONOUR}


@dataclass
class ReportContents:
    """What the reporter writes."""

    kinds: list[ConcernKind]
    concern: str
    child_said: str
    reporter_saw: str
    relation: str
    earlier_concern: str
    family_informed: bool


def _check(youth: Youth, contents: ReportContents) -> None:
    ages = age_range(youth, today())
    if ages is None:
        raise RuleViolation(
            _l(
                "A report of concern is about a child: add the personal identity number or "
                "birth year."
            )
        )
    if ages[0] >= ADULT_FROM:
        raise RuleViolation(_l("A report of concern is for a child under 18."))
    if not contents.kinds:
        raise RuleViolation(_l("Choose what the concern is about."), "kinds")
    if not contents.concern.strip():
        raise RuleViolation(_l("Describe the concrete concern, with examples."), "concern")
    if not contents.relation.strip():
        raise RuleViolation(_l("Say what your relation to the child is."), "relation")
    if contents.family_informed and NOT_TO_BE_TOLD & set(contents.kinds):
        raise RuleViolation(
            _l(
                "The family must not be told when the concern is violence, sexual abuse or "
                "honour-related."
            ),
            "family_informed",
        )


def _apply(report: ReportOfConcern, contents: ReportContents) -> dict[str, tuple]:
    """Copy the contents onto the report; returns {field: (old, new)} of what changed."""
    values = {
        "kinds": ",".join(dict.fromkeys(kind.value for kind in contents.kinds)),
        "concern": contents.concern.strip(),
        "child_said": contents.child_said.strip(),
        "reporter_saw": contents.reporter_saw.strip(),
        "relation": contents.relation.strip(),
        "earlier_concern": contents.earlier_concern.strip(),
        "family_informed": contents.family_informed,
    }
    return audit.apply_changes(report, values)


def draft(user: User, youth: Youth, contents: ReportContents) -> ReportOfConcern:
    """Start a report of concern about one child (a draft until it is marked sent)."""
    policy.can_report_concern.require(user, youth)
    _check(youth, contents)
    report = ReportOfConcern(youth_id=youth.id, author_id=user.id)
    _apply(report, contents)
    db.session.add(report)
    db.session.flush()
    audit.record_about(AuditAction.CREATE, "report_of_concern", report, user_id=user.id)
    return report


def revise(user: User, report: ReportOfConcern, contents: ReportContents) -> None:
    """Change a draft; a sent report is never changed."""
    if report.sent_at is not None or report.author_id != user.id:
        raise RuleViolation(
            _l("Only the author can change the report, and only before it is sent.")
        )
    _check(report.youth, contents)
    changed = _apply(report, contents)
    db.session.flush()
    if changed:
        # a draft's earlier wording is kept in the audit trail (old and new, encrypted)
        audit.record_about(
            AuditAction.UPDATE,
            "report_of_concern",
            report,
            user_id=user.id,
            detail=",".join(changed),
            changes=changed,
        )


def deliver(user: User, report: ReportOfConcern, base_url: str) -> Team:
    """Send the report to the kommun's intake unit inside Outreach: it waits in the unit's
    inbox, and its members are told (by mail too, with only a link)."""
    policy.can_send_report.require(user, report)
    unit = intake_unit(report.kommun_id)
    if unit is None:
        raise RuleViolation(
            _l(
                "The kommun's intake unit does not receive reports in Outreach: print the "
                "report and record it as sent."
            )
        )
    report.to_unit_id = unit.id
    _send(user, report, f"delivered to={unit.id}")
    notifications.notify(
        unit_members(unit.id, Role.CASEWORKER, Role.TEAM_LEAD),
        "new_report",
        report,
        link=link_to(report, base_url, "utskrift"),
        mail=True,
    )
    return unit


def mark_sent(user: User, report: ReportOfConcern) -> None:
    """Record that the report went to the intake unit on paper (printed, or by the unit's own
    channel)."""
    policy.can_send_report.require(user, report)
    _send(user, report, "sent")


def _send(user: User, report: ReportOfConcern, detail: str) -> None:
    """The report is sent: it keeps the child's details as they were, and never changes."""
    youth = report.youth
    report.child_snapshot = json.dumps(child_details(youth), ensure_ascii=False)
    report.sent_at = now()
    db.session.flush()
    audit.record_about(
        AuditAction.UPDATE, "report_of_concern", report, user_id=user.id, detail=detail
    )


def acknowledge(user: User, report: ReportOfConcern, base_url: str) -> None:
    """The intake unit has received the report (when and who); its author is told."""
    policy.can_receive_report.require(user, report)
    if report.received_at is not None:
        raise RuleViolation(_l("The report has already been acknowledged as received."))
    report.received_at = now()
    report.received_by_id = user.id
    db.session.flush()
    audit.record_about(
        AuditAction.UPDATE, "report_of_concern", report, user_id=user.id, detail="received"
    )
    notifications.notify([report.author], "report_received", report, link=link_to(report, base_url))


def link_to(report: ReportOfConcern, base_url: str, page: str = "") -> str:
    """The report's address in Outreach (an opaque id: no personal data)."""
    address = f"{base_url.rstrip('/')}/orosanmalningar/{report.public_id}"
    return f"{address}/{page}" if page else address


def intake_inbox(user: User, received_since: datetime) -> tuple[list, list]:
    """The reports delivered to the user's intake units: those waiting for acknowledgement,
    the earliest first, and those received since `received_since`, the latest first."""
    delivered = select(ReportOfConcern).where(
        ReportOfConcern.kommun_id == user.kommun_id,
        ReportOfConcern.to_unit_id.in_(policy.intake_unit_ids(user)),
    )
    waiting = delivered.where(ReportOfConcern.received_at.is_(None)).order_by(
        ReportOfConcern.sent_at
    )
    received = (
        delivered.where(ReportOfConcern.received_at >= received_since)
        .order_by(ReportOfConcern.received_at.desc())
        .limit(INBOX_RECEIVED)
    )
    return (
        list(db.session.execute(waiting).scalars()),
        list(db.session.execute(received).scalars()),
    )


#: Received reports shown in the inbox.
INBOX_RECEIVED = 50


def record_read(user: User, report: ReportOfConcern, what: str) -> None:
    """Write that the user read or printed the report."""
    audit.record_about(AuditAction.READ, "report_of_concern", report, user_id=user.id, detail=what)


def child_details(youth: Youth) -> dict:
    """The child's identity, guardians and interpreter need, as a report states them."""
    return {
        "alias": youth.alias,
        "name": youth.name,
        "personnummer": personnummer.formatted(youth.personnummer),
        "birth_year": youth.birth_year,
        "guardians": [[g.name, g.phone] for g in youth.guardians],
        "interpreter_language": youth.interpreter_language,
    }


def reports_of(youth: Youth) -> list[ReportOfConcern]:
    """The youth's reports, newest first."""
    return list(
        db.session.execute(
            select(ReportOfConcern)
            .where(ReportOfConcern.youth_id == youth.id)
            .order_by(ReportOfConcern.id.desc())
        ).scalars()
    )


def sent_report_of(youth: Youth) -> ReportOfConcern | None:
    """The youth's latest sent report (delivered to the intake unit, or marked sent on
    paper), which a handoff may cite as its legal basis."""
    return db.session.execute(
        select(ReportOfConcern)
        .where(ReportOfConcern.youth_id == youth.id, ReportOfConcern.sent_at.is_not(None))
        .order_by(ReportOfConcern.sent_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def stale_drafts(user: User) -> list[ReportOfConcern]:
    """Drafts of the team lead's teams that were not sent the day they were started."""
    if not policy.leads_field_team(user):
        return []
    visible = scopes.visible_youths(user).with_only_columns(Youth.id)
    return list(
        db.session.execute(
            select(ReportOfConcern)
            .where(
                ReportOfConcern.sent_at.is_(None),
                ReportOfConcern.created_at < start_of_today(),
                ReportOfConcern.youth_id.in_(visible),
            )
            .order_by(ReportOfConcern.created_at)
        ).scalars()
    )


def reassign(duplicate: Youth, kept: Youth) -> int:
    """A merge: the duplicate's reports are the kept record's now (how many)."""
    return move_rows(ReportOfConcern, duplicate, kept)
