"""Everything held about one youth, as one document: the register extract (registerutdrag) and
the archive copy made before gallring.

build() gathers it section by section; the page, the PDF and the JSON are three renderings of
the same document. Other youths named in a shared contact are not named here (their data is
not the requester's); the text of such an entry is shown, and the team lead reads it through
before delivering (secrecy towards third parties).

SECTIONS says which tables each section reads, and NOT_IN_EXTRACT why every other table is
left out, so a table added later must be placed in one of them (a test checks).
"""

import json
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.audit import AuditEvent
from outreach.clock import now, to_local
from outreach.consent.models import Consent
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Area
from outreach.personnummer import formatted
from outreach.privacy.models import AccessRequest, LegalHold
from outreach.reports.models import ReportOfConcern
from outreach.risk.models import RiskMarking
from outreach.vocabulary import (
    ACCESS_DETAIL_LABELS,
    AUDIT_ACTION_LABELS,
    AUDIT_ENTITY_LABELS,
    YOUTH_FIELD_LABELS,
)
from outreach.youths.duplicates import youth_ids_of
from outreach.youths.models import (
    IdentifiedContact,
    ProtectedAccess,
    Youth,
    YouthMerge,
    identified_contact_youth,
)

#: The sections of an extract, in order: (key, heading, tables read).
SECTIONS = (
    ("youth", _l("The record"), ("youth", "guardian")),
    ("contacts", _l("Contacts"), ("identified_contact", "identified_contact_youth")),
    (
        "risk_markings",
        _l("Risk markings"),
        ("risk_marking", "risk_marking_sign", "risk_marking_withdrawal"),
    ),
    ("consents", _l("Consents"), ("consent", "consent_recipient", "consent_withdrawal")),
    ("reports", _l("Reports of concern"), ("report_of_concern",)),
    ("handoffs", _l("Handoffs to VPC"), ("handoff", "handoff_event")),
    ("protected_access", _l("Access to the protected identity"), ("protected_access",)),
    ("legal_holds", _l("Legal holds"), ("legal_hold",)),
    ("access_requests", _l("Register extract requests"), ("access_request",)),
    ("merges", _l("Merged records"), ("youth_merge",)),
    ("access_log", _l("Who read, exported or changed the record"), ("audit_event",)),
)

#: Tables the extract does not read, and why.
NOT_IN_EXTRACT = {
    "user": "staff accounts; the extract names the staff who acted",
    "team": "organisation; the extract names the team",
    "membership": "which staff belong to which team",
    "area": "places of work; the extract names them",
    "place": "places of work; the extract names them",
    "shift": "the staff's shifts; a contact names its time and place",
    "shift_worker": "who worked a shift",
    "shift_review": "the lead's review of a shift, about the staff's log",
    "anonymous_contact": "tallies without personal data",
    "contact_count": "tallies without personal data",
    "contact_topic": "tallies without personal data",
    "contact_action": "tallies without personal data",
    "warning_sign": "the catalogue; a marking names its signs",
    "notification": "notices to staff that a handoff moved; the handoff is in the extract",
    "outbox_mail": "mail to staff; holds no personal data, only a link",
    "login_session": "staff sessions",
    "recovery_code": "staff recovery codes",
    "audit_chain": "the head of the audit trail's hash chain",
    "subject_key": "the youth's encryption key, not information about the youth",
    "retention_run": "counts of gallring runs, naming nobody",
    "access_review": "the lead's loggkontroll of a period, about staff access",
    "form_submission": "one-time form tokens and the id of the record each made, for a week",
}

#: The labels of the fields, for the readable renderings.
LABELS = {
    "alias": _l("Alias"),
    "name": _l("Name"),
    "birth_year": _l("Birth year"),
    "gender": _l("Gender"),
    "personnummer": _l("Personal identity number"),
    "home_area": _l("Home area"),
    "school": _l("School"),
    "interpreter_language": _l("Interpreter"),
    "protected_identity": _l("Protected identity"),
    "legal_basis": _l("Purpose and legal basis"),
    "guardians": _l("Guardians"),
    "team": _l("Team"),
    "registered": _l("Registered"),
    "registered_by": _l("Registered by"),
    "occurred_at": _l("Time"),
    "place": _l("Place"),
    "facts": _l("What was seen and said"),
    "assessment": _l("Assessment"),
    "author": _l("Written by"),
    "written_at": _l("Written down"),
    "corrects": _l("Corrects the entry of"),
    "other_youths": _l("Other youths in the contact"),
    "level": _l("Level"),
    "signs": _l("Warning signs"),
    "comment": _l("Comment"),
    "review_on": _l("Review by"),
    "withdrawn": _l("Withdrawn"),
    "withdrawal_reason": _l("Reason for withdrawal"),
    "given_by": _l("Given by"),
    "recipients": _l("Sharing with"),
    "purpose": _l("Purpose"),
    "form": _l("Form"),
    "given_on": _l("Given"),
    "expires_on": _l("Expires"),
    "kinds": _l("Concern"),
    "concern": _l("The concern"),
    "child_said": _l("What the child said"),
    "reporter_saw": _l("What the reporter saw"),
    "relation": _l("Reporter's relation to the child"),
    "earlier_concern": _l("Earlier concern"),
    "family_informed": _l("Family informed"),
    "sent": _l("Sent"),
    "sent_details": _l("Details sent"),
    "reason": _l("Reason"),
    "summary": _l("Summary"),
    "urgency": _l("Urgency"),
    "wants_to_leave_crime": _l("Wants to leave crime"),
    "basis": _l("Legal basis"),
    "secrecy_assessed_by": _l("Secrecy assessment by"),
    "status": _l("Status"),
    "shared": _l("Details shared with VPC"),
    "steps": _l("Steps"),
    "user": _l("User"),
    "granted": _l("Granted"),
    "granted_by": _l("Granted by"),
    "revoked": _l("Revoked"),
    "set": _l("Set"),
    "set_by": _l("Set by"),
    "lifted": _l("Lifted"),
    "requested_by": _l("Requested by"),
    "received_on": _l("Received"),
    "due_on": _l("Due"),
    "delivered_on": _l("Delivered"),
    "merged_at": _l("Merged"),
    "merged_by": _l("Merged by"),
    "merged_details": _l("What the merged record said"),
    "at": _l("Time"),
    "action": _l("What"),
    "record": _l("Record"),
    "detail": _l("Where or what"),
    "changes": _l("Old and new values"),
}


def _text(value) -> str | int | bool | list | dict | None:
    """A value as the document shows it: local time, labels for codes."""
    if isinstance(value, datetime):
        return to_local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "label"):
        return str(value.label)
    return value


def _row(**values) -> dict:
    return {key: _text(value) for key, value in values.items()}


def _name(user) -> str:
    return user.display_name if user else "–"


def _oldest_first(model, youth: Youth):
    """The youth's rows of a table that has a youth_id, in the order they were written."""
    return db.session.execute(
        select(model).where(model.youth_id == youth.id).order_by(model.id)
    ).scalars()


def _record(youth: Youth) -> list[dict]:
    return [
        _row(
            alias=youth.alias,
            name=youth.name,
            birth_year=youth.birth_year,
            gender=youth.gender,
            personnummer=formatted(youth.personnummer),
            home_area=youth.home_area.name if youth.home_area else "",
            school=youth.school,
            interpreter_language=youth.interpreter_language,
            protected_identity=youth.protected_identity,
            legal_basis=youth.legal_basis,
            guardians=[f"{g.name} {g.phone}".strip() for g in youth.guardians],
            team=youth.team.name,
            registered=youth.created_at,
            registered_by=_name(youth.created_by),
        )
    ]


def _contacts(youth: Youth) -> list[dict]:
    contacts = db.session.execute(
        select(IdentifiedContact)
        .join(
            identified_contact_youth,
            identified_contact_youth.c.contact_id == IdentifiedContact.id,
        )
        .where(identified_contact_youth.c.youth_id == youth.id)
        .order_by(IdentifiedContact.occurred_at, IdentifiedContact.id)
        .options(selectinload(IdentifiedContact.corrects))  # no query per correction
    ).scalars()
    return [
        _row(
            occurred_at=contact.occurred_at,
            place=contact.place.name if contact.place else "",
            facts=contact.facts,
            assessment=contact.assessment,
            author=_name(contact.author),
            written_at=contact.created_at,
            corrects=contact.corrects.created_at if contact.corrects else None,
            other_youths=len(contact.youths) - 1,
        )
        for contact in contacts
    ]


def _markings(youth: Youth) -> list[dict]:
    markings = _oldest_first(RiskMarking, youth)
    return [
        _row(
            written_at=m.created_at,
            author=_name(m.author),
            level=m.level,
            signs=[sign.label for sign in m.signs],
            comment=m.comment,
            review_on=m.review_on,
            withdrawn=m.withdrawal.withdrawn_at if m.withdrawal else None,
            withdrawal_reason=m.withdrawal.reason if m.withdrawal else "",
        )
        for m in markings
    ]


def _consents(youth: Youth) -> list[dict]:
    consents = _oldest_first(Consent, youth)
    return [
        _row(
            given_by=c.given_by,
            recipients=[str(r.label) for r in c.recipients]
            + ([c.other_recipient] if c.other_recipient else []),
            purpose=c.purpose,
            form=c.form,
            given_on=c.given_on,
            expires_on=c.expires_on,
            author=_name(c.recorded_by),
            written_at=c.created_at,
            withdrawn=c.withdrawal.withdrawn_on if c.withdrawal else None,
            withdrawal_reason=c.withdrawal.reason if c.withdrawal else "",
        )
        for c in consents
    ]


def _reports(youth: Youth) -> list[dict]:
    reports = _oldest_first(ReportOfConcern, youth)
    return [
        _row(
            written_at=r.created_at,
            author=_name(r.author),
            kinds=[str(kind.label) for kind in r.concern_kinds],
            concern=r.concern,
            child_said=r.child_said,
            reporter_saw=r.reporter_saw,
            relation=r.relation,
            earlier_concern=r.earlier_concern,
            family_informed=r.family_informed,
            sent=r.sent_at,
            sent_details=r.child,
        )
        for r in reports
    ]


def _handoffs(youth: Youth) -> list[dict]:
    handoffs = _oldest_first(Handoff, youth)
    return [
        _row(
            sent=h.sent_at,
            author=_name(h.sender),
            team=h.from_team.name,
            reason=h.reason,
            summary=h.summary,
            urgency=h.urgency,
            wants_to_leave_crime=h.wants_to_leave_crime,
            basis=h.basis,
            secrecy_assessed_by=h.secrecy_assessed_by,
            status=h.status,
            shared=h.shared,
            steps=[
                f"{_text(event.at)} {event.status.label} ({_name(event.user)})"
                + (f": {event.note}" if event.note else "")
                for event in h.events
            ],
        )
        for h in handoffs
    ]


def _protected_access(youth: Youth) -> list[dict]:
    grants = _oldest_first(ProtectedAccess, youth)
    return [
        _row(
            user=_name(g.user),
            granted=g.granted_at,
            granted_by=_name(g.granted_by),
            revoked=g.revoked_at,
        )
        for g in grants
    ]


def _legal_holds(youth: Youth) -> list[dict]:
    holds = _oldest_first(LegalHold, youth)
    return [
        _row(reason=h.reason, set=h.set_at, set_by=_name(h.set_by), lifted=h.lifted_at)
        for h in holds
    ]


def _access_requests(youth: Youth) -> list[dict]:
    requests = _oldest_first(AccessRequest, youth)
    return [
        _row(
            requested_by=r.requested_by,
            received_on=r.received_on,
            due_on=r.due_on,
            delivered_on=r.delivered_on,
        )
        for r in requests
    ]


def _merges(youth: Youth) -> list[dict]:
    merges = db.session.execute(
        select(YouthMerge).where(YouthMerge.kept_youth_id == youth.id).order_by(YouthMerge.id)
    ).scalars()
    return [
        _row(
            merged_at=m.merged_at,
            merged_by=_name(m.merged_by),
            merged_details=json.loads(m.merged_details),
        )
        for m in merges
    ]


def _access_log(youth: Youth) -> list[dict]:
    areas = dict(db.session.execute(select(Area.id, Area.name)).all())
    events = db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.youth_id.in_(youth_ids_of(youth)))
        .order_by(AuditEvent.seq)
    ).scalars()
    return [
        _row(
            at=event.occurred_at,
            user=_name(event.user),
            action=str(AUDIT_ACTION_LABELS.get(event.action.value, event.action.value)),
            record=str(AUDIT_ENTITY_LABELS.get(event.entity_type, event.entity_type)),
            detail=_where(event.detail),
            changes=_changes(event, areas),
        )
        for event in events
    ]


def _shown(value, areas: dict[int, str]) -> str:
    if value in (None, "", []):
        return "–"
    if isinstance(value, list):
        return "; ".join(" ".join(str(part) for part in item if part) for item in value)
    return str(value)


def _changes(event: AuditEvent, areas: dict[int, str]) -> str:
    """The old and new values a change kept ("Name: – → Karl Åberg"), one per line."""
    changed = event.changed
    if not changed:
        return ""
    lines = []
    for name, (old, new) in changed.items():
        if name == "home_area_id":
            old, new = areas.get(old), areas.get(new)
        label = YOUTH_FIELD_LABELS.get(name) or LABELS.get(name) or name
        lines.append(f"{label}: {_shown(old, areas)} → {_shown(new, areas)}")
    return "\n".join(lines)


def _where(detail: str) -> str:
    """Where an access happened, or which fields changed, in words; internal references
    (ids of other rows) are left out."""
    if detail in ACCESS_DETAIL_LABELS or detail.split(":")[0] in ACCESS_DETAIL_LABELS:
        return str(ACCESS_DETAIL_LABELS[detail.split(":")[0]])
    names = detail.split(",")
    if detail and all(name in YOUTH_FIELD_LABELS for name in names):
        return ", ".join(str(YOUTH_FIELD_LABELS[name]) for name in names)
    return ""


_BUILDERS = {
    "youth": _record,
    "contacts": _contacts,
    "risk_markings": _markings,
    "consents": _consents,
    "reports": _reports,
    "handoffs": _handoffs,
    "protected_access": _protected_access,
    "legal_holds": _legal_holds,
    "access_requests": _access_requests,
    "merges": _merges,
    "access_log": _access_log,
}


def build(youth: Youth) -> dict:
    """Everything held about the youth: {"youth_public_id", "produced_at", section: [rows]}."""
    document = {"youth_public_id": youth.public_id, "produced_at": _text(now())}
    for key, _heading, _tables in SECTIONS:
        document[key] = _BUILDERS[key](youth)
    return document


def as_json(document: dict) -> str:
    """The document as JSON (UTF-8, indented for reading)."""
    return json.dumps(document, ensure_ascii=False, indent=2, default=str)
