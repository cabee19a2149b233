"""The rules of handing over to a receiving unit (VPC by default): a legal basis or nothing,
only ticked fields travel, only the unit sees it, and every step is one atomic move from the
status the actor saw (two at once: one wins)."""

import json
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import lazyload

from outreach import audit, personnummer, policy, scopes
from outreach.audit import AuditAction
from outreach.auth.models import Role, User
from outreach.auth.units import default_unit, unit_members
from outreach.clock import now
from outreach.consent import services as consent_services
from outreach.consent.services import coverage
from outreach.errors import Conflict, RuleViolation
from outreach.extensions import db, one_of
from outreach.handoffs.models import Handoff, HandoffEvent
from outreach.notifications import services as notifications
from outreach.org.models import Team
from outreach.paging import Cursor, load_in_order, newest_first
from outreach.reports.services import sent_report_of
from outreach.vocabulary import HandoffBasis, HandoffStatus, Urgency
from outreach.youths.duplicates import move_rows
from outreach.youths.models import Youth

#: The youth fields a sender may tick to travel with a handoff (the alias always does).
SHAREABLE_FIELDS = (
    "name",
    "birth_year",
    "personnummer",
    "gender",
    "home_area",
    "school",
    "guardians",
    "interpreter_language",
)

OPEN = (HandoffStatus.SENT, HandoffStatus.ACKNOWLEDGED, HandoffStatus.FIRST_CONTACT)
ACTIVE = (*OPEN, HandoffStatus.ACCEPTED)
#: After first contact and until closed: the inbox's second list.
IN_PROGRESS = (HandoffStatus.FIRST_CONTACT, HandoffStatus.ACCEPTED, HandoffStatus.DECLINED)


def _value(youth: Youth, field: str):
    if field == "personnummer":
        return personnummer.formatted(youth.personnummer)
    if field == "gender":
        return youth.gender.value if youth.gender else None
    if field == "home_area":
        return youth.home_area.name if youth.home_area else None
    if field == "guardians":
        return [[g.name, g.phone] for g in youth.guardians]
    return getattr(youth, field)


def send(
    user: User,
    youth: Youth,
    *,
    reason: str,
    summary: str,
    urgency: Urgency | None,
    wants_to_leave_crime: bool,
    basis: HandoffBasis | None,
    secrecy_assessed_by: str,
    shared_fields: list[str],
    first_contact_hours: dict[Urgency, int],
    base_url: str,
    to_unit: Team | None = None,
) -> Handoff:
    """Send a handoff to a receiving unit of the youth's kommun (its VPC unless chosen)."""
    policy.can_hand_over.require(user, youth)
    unit = to_unit or default_unit(youth.kommun_id)
    if unit is None or unit.kommun_id != youth.kommun_id or not unit.receives_handoffs:
        raise RuleViolation(_l("Choose a receiving unit of your kommun."), "to_unit")
    if open_handoff_of(youth) is not None:
        raise RuleViolation(_l("The youth already has a handoff in progress."))
    if not reason.strip():
        raise RuleViolation(_l("Give the reason for the handoff."), "reason")
    if not summary.strip():
        raise RuleViolation(_l("Write a short summary of what the unit needs to know."), "summary")
    if urgency is None:
        raise RuleViolation(_l("Choose the urgency."), "urgency")
    if basis is None:
        raise RuleViolation(_l("Choose the legal basis."), "basis")
    if basis == HandoffBasis.CONSENT:
        cover = coverage(youth, unit.consent_category)
        if not cover.covered:
            missing = ", ".join(str(party.label) for party in cover.missing)
            raise RuleViolation(
                _l(
                    "No valid consent covers sharing with %(unit)s (%(why)s). Record the "
                    "consent first, or choose an exception to secrecy and say who assessed it.",
                    unit=unit.name,
                    why=cover.problem or missing,
                ),
                "basis",
            )
    report = sent_report_of(youth) if basis == HandoffBasis.REPORT_OF_CONCERN else None
    if basis == HandoffBasis.REPORT_OF_CONCERN and report is None:
        raise RuleViolation(
            _l("A handoff can cite a report of concern only once the report is sent."), "basis"
        )
    if basis != HandoffBasis.CONSENT and not secrecy_assessed_by.strip():
        raise RuleViolation(
            _l("Say who made the secrecy assessment for the exception."), "secrecy_assessed_by"
        )
    unknown = set(shared_fields) - set(SHAREABLE_FIELDS)
    if unknown:
        raise RuleViolation(_l("Choose fields from the list."), "shared_fields")
    shared = {"alias": youth.alias}
    shared.update(
        {field: _value(youth, field) for field in SHAREABLE_FIELDS if field in shared_fields}
    )
    sent_at = now()
    handoff = Handoff(
        youth_id=youth.id,
        report_id=report.id if report else None,
        from_team_id=youth.team_id,
        to_unit_id=unit.id,
        sender_id=user.id,
        reason=reason.strip(),
        summary=summary.strip(),
        urgency=urgency,
        wants_to_leave_crime=wants_to_leave_crime,
        basis=basis,
        secrecy_assessed_by=secrecy_assessed_by.strip() if basis != HandoffBasis.CONSENT else "",
        shared_data=json.dumps(shared, ensure_ascii=False),
        status=HandoffStatus.SENT,
        sent_at=sent_at,
        first_contact_due_at=sent_at
        + timedelta(
            hours=unit.hours_to_first_contact(
                urgency == Urgency.URGENT, first_contact_hours[urgency]
            )
        ),
    )
    db.session.add(handoff)
    db.session.flush()
    db.session.add(HandoffEvent(handoff_id=handoff.id, status=HandoffStatus.SENT, user_id=user.id))
    audit.record_about(
        AuditAction.CREATE,
        "handoff",
        handoff,
        user_id=user.id,
        detail="shared=" + ",".join(sorted(shared)),
    )
    notifications.notify(
        unit_members(unit.id, Role.CASEWORKER, Role.TEAM_LEAD),
        "new_handoff",
        handoff,
        link=link_to(handoff, base_url),
        mail=True,
    )
    return handoff


def link_to(handoff: Handoff, base_url: str) -> str:
    """The handoff's address in Outreach (an opaque id: no personal data)."""
    return f"{base_url.rstrip('/')}/overlamningar/{handoff.public_id}"


def stop_sharing_without_consent(user: User, youth: Youth, base_url: str) -> list[Handoff]:
    """After a consent is withdrawn: handoffs resting on consent that no longer covers their
    unit are withdrawn at once, so the unit sees no more of the youth. Returns those
    withdrawn."""
    stopped = []
    for handoff in db.session.execute(
        select(Handoff).where(
            Handoff.youth_id == youth.id,
            Handoff.basis == HandoffBasis.CONSENT,
            Handoff.status.in_(ACTIVE),
        )
    ).scalars():
        if coverage(youth, handoff.to_unit.consent_category).covered:
            continue
        _move(handoff, HandoffStatus.WITHDRAWN, user, str(CONSENT_WITHDRAWN))
        notifications.notify(
            unit_members(handoff.to_unit_id, Role.CASEWORKER, Role.TEAM_LEAD),
            "consent_withdrawn",
            handoff,
            link=link_to(handoff, base_url),
        )
        stopped.append(handoff)
    return stopped


CONSENT_WITHDRAWN = _l("The consent was withdrawn: nothing more is shared.")


@consent_services.withdrawn.connect
def _stop_sharing(consent, *, user: User) -> list:
    """A consent was withdrawn (consent/services.py): the handoffs resting on it stop."""
    stopped = stop_sharing_without_consent(user, consent.youth, current_app.config["BASE_URL"])
    return [_l("The handoff that rested on the consent is withdrawn.")] if stopped else []


def _move(
    handoff: Handoff,
    to: HandoffStatus,
    user: User,
    note: str,
    seen: HandoffStatus | None = None,
    **values,
) -> bool:
    """Move the handoff to a status, with its event and audit row. From `seen`, the status
    the actor saw, the move is atomic: of two moves at the same moment one wins, and this one
    returns False when someone else moved it first (nothing is recorded then). Without it
    the move is made whatever the status is now (sharing stops, whoever acted meanwhile)."""
    statement = update(Handoff).where(Handoff.id == handoff.id)
    if seen is not None:
        statement = statement.where(Handoff.status == seen)
    moved = db.session.execute(
        statement.values(status=to, **values).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return False
    db.session.add(HandoffEvent(handoff_id=handoff.id, status=to, user_id=user.id, note=note))
    db.session.flush()
    db.session.refresh(handoff)
    audit.record_about(AuditAction.UPDATE, "handoff", handoff, user_id=user.id, detail=to.value)
    return True


def record_read(user: User, handoff: Handoff) -> None:
    """Write that the user opened the handoff (its youth's shared data)."""
    audit.record_about(AuditAction.READ, "handoff", handoff, user_id=user.id)


def open_handoff_of(youth: Youth) -> Handoff | None:
    """The youth's handoff that VPC has not yet accepted, declined or closed."""
    return db.session.execute(
        select(Handoff).where(Handoff.youth_id == youth.id, Handoff.status.in_(OPEN))
    ).scalar_one_or_none()


def open_among(handoffs: list[Handoff]) -> Handoff | None:
    """The open one among a youth's handoffs (open_handoff_of, from those already read)."""
    return next((handoff for handoff in handoffs if handoff.status in OPEN), None)


def handoffs_of(youth: Youth) -> list[Handoff]:
    """The youth's handoffs, newest first (for the sending team)."""
    return list(
        db.session.execute(
            select(Handoff).where(Handoff.youth_id == youth.id).order_by(Handoff.id.desc())
        ).scalars()
    )


@dataclass(frozen=True)
class Step:
    """A step VPC (or the sender) can take from some statuses to another."""

    name: str
    to: HandoffStatus
    allowed_from: tuple[HandoffStatus, ...]
    by_sender: bool = False
    #: The step needs a note: how the first contact was made, why it is declined.
    note_required: bool = False


STEPS = {
    step.name: step
    for step in (
        Step("acknowledge", HandoffStatus.ACKNOWLEDGED, (HandoffStatus.SENT,)),
        Step(
            "first_contact",
            HandoffStatus.FIRST_CONTACT,
            (HandoffStatus.ACKNOWLEDGED,),
            note_required=True,
        ),
        Step("accept", HandoffStatus.ACCEPTED, (HandoffStatus.FIRST_CONTACT,)),
        Step(
            "decline",
            HandoffStatus.DECLINED,
            (HandoffStatus.ACKNOWLEDGED, HandoffStatus.FIRST_CONTACT),
            note_required=True,
        ),
        Step("close", HandoffStatus.CLOSED, (HandoffStatus.ACCEPTED, HandoffStatus.DECLINED)),
        Step("withdraw", HandoffStatus.WITHDRAWN, OPEN, by_sender=True),
    )
}


def steps_for(user: User, handoff: Handoff) -> list[Step]:
    """The steps the user may take on the handoff now."""
    return [
        step
        for step in STEPS.values()
        if handoff.status in step.allowed_from and _may(user, handoff, step)
    ]


def _may(user: User, handoff: Handoff, step: Step) -> bool:
    if step.by_sender:
        return policy.can_withdraw_handoff(user, handoff)
    return policy.can_act_on_handoff(user, handoff)


#: The steps the sender hears about.
SENDER_HEARS = {
    HandoffStatus.ACKNOWLEDGED: "acknowledged",
    HandoffStatus.FIRST_CONTACT: "first_contact",
    HandoffStatus.DECLINED: "declined",
}


def take_step(
    user: User, handoff: Handoff, step_name: str, note: str = "", base_url: str = ""
) -> HandoffStatus:
    """Move the handoff one step on, atomically from the status it has in the database."""
    step = STEPS.get(step_name)
    if step is None or not _may(user, handoff, step):
        raise RuleViolation(_l("You cannot do that with this handoff."))
    if step.note_required and not note.strip():
        message = (
            _l("Say how the first contact was made.")
            if step.to == HandoffStatus.FIRST_CONTACT
            else _l("Give the reason for declining.")
        )
        raise RuleViolation(message, "note")
    seen = handoff.status
    if seen not in step.allowed_from:
        raise Conflict(
            _l("The handoff is %(status)s; that step is not possible now.", status=seen.label)
        )
    values = {}
    if step.to == HandoffStatus.FIRST_CONTACT:
        values["first_contact_how"] = note.strip()
        values["first_contact_at"] = now()
    if step.to == HandoffStatus.DECLINED:
        values["decline_reason"] = note.strip()
    if not _move(handoff, step.to, user, note.strip(), seen, **values):
        raise Conflict(
            _l("Someone else acted on the handoff at the same moment. Reload to see it.")
        )
    if step.to in SENDER_HEARS:
        notifications.notify(
            [handoff.sender], SENDER_HEARS[step.to], handoff, link=link_to(handoff, base_url)
        )
    return step.to


#: Handoffs in progress shown on one page of the inbox.
INBOX_PAGE = 50


def waiting_for_first_contact(user: User) -> list[Handoff]:
    """The handoffs the user's units have yet to make first contact on, the earliest deadline
    first: the clock runs on each of them, so all are shown (the clock keeps them few)."""
    return list(
        db.session.execute(
            scopes.unit_inbox(user)
            .options(lazyload(Handoff.events))  # the list shows none of their steps
            .where(one_of(Handoff.status, (HandoffStatus.SENT, HandoffStatus.ACKNOWLEDGED)))
            .order_by(Handoff.first_contact_due_at, Handoff.id)
        ).scalars()
    )


def in_progress(
    user: User, cursor: Cursor | None, size: int = INBOX_PAGE
) -> tuple[list[Handoff], Cursor | None]:
    """The user's units' handoffs after first contact: accepted, or declined and not yet
    closed; the most recently sent first, a page at a time (a unit works months on an
    accepted one). Returns the page and where the next one starts."""
    # The page's ids first, then those handoffs with what they bring along: the joins then
    # touch one page of rows, not every handoff in progress.
    ids, more = newest_first(
        scopes.unit_inbox(user)
        .with_only_columns(Handoff.id)
        .where(one_of(Handoff.status, IN_PROGRESS)),
        Handoff.sent_at,
        Handoff.public_id,
        cursor,
        size,
    )
    handoffs = load_in_order(Handoff, ids, lazyload(Handoff.events))
    last = handoffs[-1] if more else None
    return handoffs, Cursor(last.sent_at, 0, last.public_id) if last else None


def reassign(duplicate: Youth, kept: Youth) -> int:
    """A merge: the duplicate's handoffs are the kept record's now (how many)."""
    return move_rows(Handoff, duplicate, kept)
