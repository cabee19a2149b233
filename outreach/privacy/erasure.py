"""What gallring deletes: a youth and everything that is theirs, the mail about their
handoffs and their own key (which leaves the old and new values the append-only audit trail
keeps of them unreadable); and the free-text notes of old anonymous contacts."""

from collections import Counter
from datetime import date

from flask import current_app
from sqlalchemy import delete, exists, func, or_, select, update

from outreach.clock import months_after, start_of_day
from outreach.consent.models import Consent, ConsentRecipient, ConsentWithdrawal
from outreach.crypto import shred_subject_keys
from outreach.extensions import db
from outreach.handoffs.models import Handoff, HandoffEvent
from outreach.notifications.models import Notification, OutboxMail
from outreach.privacy.models import AccessRequest, LegalHold
from outreach.reports.models import ReportOfConcern
from outreach.risk.models import RiskMarking, RiskMarkingWithdrawal, risk_marking_sign
from outreach.shifts.models import AnonymousContact
from outreach.youths import tallies
from outreach.youths.models import (
    Guardian,
    IdentifiedContact,
    ProtectedAccess,
    Youth,
    YouthMerge,
    identified_contact_youth,
)


def _deleted(statement) -> int:
    return db.session.execute(statement, execution_options={"synchronize_session": False}).rowcount


def erase(youth_ids: list[int]) -> Counter:
    """Delete the youths and everything that is theirs; rows deleted by table.

    A contact that also names a youth who stays loses only the link; a contact left naming
    nobody is deleted, with its corrections.
    """
    counts: Counter = Counter()
    if not youth_ids:
        return counts
    ids = list(youth_ids)
    # The youths held first: a contact logged for one of them meanwhile waits, and then finds
    # the youth gone, instead of naming them after their days are recounted.
    db.session.execute(
        select(Youth.id).where(Youth.id.in_(ids)).order_by(Youth.id).with_for_update()
    )
    merged = list(
        db.session.execute(
            select(YouthMerge.merged_youth_id).where(YouthMerge.kept_youth_id.in_(ids))
        ).scalars()
    )
    linked = select(identified_contact_youth.c.contact_id).where(
        identified_contact_youth.c.youth_id.in_(ids)
    )
    contact_ids = list(db.session.execute(linked).scalars())
    with tallies.recounting(contact_ids):
        counts["identified_contact_youth"] = _deleted(
            delete(identified_contact_youth).where(identified_contact_youth.c.youth_id.in_(ids))
        )
        orphans = list(
            db.session.execute(
                select(IdentifiedContact.id).where(
                    IdentifiedContact.id.in_(contact_ids),
                    ~exists().where(identified_contact_youth.c.contact_id == IdentifiedContact.id),
                )
            ).scalars()
        )
        if orphans:
            db.session.execute(
                update(IdentifiedContact)
                .where(IdentifiedContact.id.in_(orphans))
                .values(corrects_id=None),
                execution_options={"synchronize_session": False},
            )
            counts["identified_contact"] = _deleted(
                delete(IdentifiedContact).where(IdentifiedContact.id.in_(orphans))
            )

    handoffs = select(Handoff.id).where(Handoff.youth_id.in_(ids))
    reports = select(ReportOfConcern.id).where(ReportOfConcern.youth_id.in_(ids))
    counts["notification"] = _deleted(
        delete(Notification).where(
            or_(Notification.handoff_id.in_(handoffs), Notification.report_id.in_(reports))
        )
    )
    counts["outbox_mail"] = _deleted(
        delete(OutboxMail).where(
            or_(OutboxMail.handoff_id.in_(handoffs), OutboxMail.report_id.in_(reports))
        )
    )
    counts["handoff_event"] = _deleted(
        delete(HandoffEvent).where(HandoffEvent.handoff_id.in_(handoffs))
    )
    counts["handoff"] = _deleted(delete(Handoff).where(Handoff.youth_id.in_(ids)))
    counts["report_of_concern"] = _deleted(
        delete(ReportOfConcern).where(ReportOfConcern.youth_id.in_(ids))
    )

    markings = select(RiskMarking.id).where(RiskMarking.youth_id.in_(ids))
    counts["risk_marking_sign"] = _deleted(
        delete(risk_marking_sign).where(risk_marking_sign.c.marking_id.in_(markings))
    )
    counts["risk_marking_withdrawal"] = _deleted(
        delete(RiskMarkingWithdrawal).where(RiskMarkingWithdrawal.marking_id.in_(markings))
    )
    counts["risk_marking"] = _deleted(delete(RiskMarking).where(RiskMarking.youth_id.in_(ids)))

    consents = select(Consent.id).where(Consent.youth_id.in_(ids))
    counts["consent_recipient"] = _deleted(
        delete(ConsentRecipient).where(ConsentRecipient.consent_id.in_(consents))
    )
    counts["consent_withdrawal"] = _deleted(
        delete(ConsentWithdrawal).where(ConsentWithdrawal.consent_id.in_(consents))
    )
    counts["consent"] = _deleted(delete(Consent).where(Consent.youth_id.in_(ids)))

    for model in (ProtectedAccess, LegalHold, AccessRequest, Guardian):
        counts[model.__tablename__] = _deleted(delete(model).where(model.youth_id.in_(ids)))
    counts["youth_merge"] = _deleted(delete(YouthMerge).where(YouthMerge.kept_youth_id.in_(ids)))
    counts["subject_key"] = shred_subject_keys(ids + merged)
    counts["youth"] = _deleted(delete(Youth).where(Youth.id.in_(ids)))
    db.session.expire_all()
    return +counts  # tables with nothing deleted left out


def _old_notes(as_of: date):
    """The condition for anonymous contacts whose note is older than ANONYMOUS_NOTE_MONTHS."""
    months = current_app.config["ANONYMOUS_NOTE_MONTHS"]
    cutoff = start_of_day(months_after(as_of, -months))
    return (AnonymousContact.occurred_at < cutoff) & (AnonymousContact.note != "")


def clear_anonymous_notes(kommun_id: int, as_of: date) -> int:
    """Clear the free-text notes of the kommun's anonymous contacts older than
    ANONYMOUS_NOTE_MONTHS; how many were cleared."""
    return db.session.execute(
        update(AnonymousContact)
        .where(AnonymousContact.kommun_id == kommun_id, _old_notes(as_of))
        .values(note=""),
        execution_options={"synchronize_session": False},
    ).rowcount


def notes_to_clear(kommun_id: int, as_of: date) -> int:
    """How many of the kommun's anonymous notes a run on `as_of` would clear."""
    return db.session.execute(
        select(func.count(AnonymousContact.id)).where(
            AnonymousContact.kommun_id == kommun_id, _old_notes(as_of)
        )
    ).scalar_one()
