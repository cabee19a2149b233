"""Everything held about one youth, as one document: the register extract (registerutdrag) and
the archive copy made before gallring.

build() gathers it section by section; the page, the PDF and the JSON are three renderings of
the same document. Other youths named in a shared contact are not named here (their data is
not the requester's); the text of such an entry is shown, and the team lead reads it through
before delivering (secrecy towards third parties).

What the extract holds, section by section, and why every other table is left out, is in
extract_sections.py.
"""

import json
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.audit import AuditEvent
from outreach.clock import now, to_local
from outreach.consent.models import Consent
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Area
from outreach.personnummer import formatted
from outreach.privacy.extract_sections import LABELS, SECTIONS
from outreach.privacy.labels import ACCESS_DETAIL_LABELS, AUDIT_ACTION_LABELS, AUDIT_ENTITY_LABELS
from outreach.privacy.models import AccessRequest, LegalHold
from outreach.reports.models import ReportOfConcern
from outreach.risk.models import RiskMarking
from outreach.vocabulary import (
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
    areas = dict(
        db.session.execute(
            select(Area.id, Area.name).where(Area.kommun_id == youth.kommun_id)
        ).all()
    )
    events = db.session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.kommun_id == youth.kommun_id,
            AuditEvent.youth_id.in_(youth_ids_of(youth)),
        )
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
