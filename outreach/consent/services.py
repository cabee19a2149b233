"""The rules of consent: who may consent at what age, what a consent covers, withdrawals."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from blinker import signal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach import audit, personnummer, policy, withdrawals
from outreach.audit import AuditAction
from outreach.auth.models import User
from outreach.clock import today
from outreach.consent.models import Consent, ConsentRecipient, ConsentWithdrawal
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.vocabulary import ConsentForm, ConsentParty, Recipient
from outreach.youths.duplicates import move_rows
from outreach.youths.models import Youth

#: From this age the youth's own consent is needed as well as the guardians'.
YOUTH_CONSENTS_FROM = 15
#: From this age the youth alone consents.
ADULT_FROM = 18


def age_range(youth: Youth, day: date) -> tuple[int, int] | None:
    """The youth's age on the day: exact from the personnummer, a one-year range from the birth
    year alone, or None when nothing is known."""
    if youth.personnummer:
        born = personnummer.birth_date(youth.personnummer)
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        return age, age
    if youth.birth_year:
        return day.year - youth.birth_year - 1, day.year - youth.birth_year
    return None


AGE_UNKNOWN = _l(
    "The youth's age decides who must consent. Add the personal identity number, or the birth "
    "year, first."
)
#: Which guardian (position on the youth's record) each guardian party is.
GUARDIAN_PARTIES = {1: ConsentParty.GUARDIAN_1, 2: ConsentParty.GUARDIAN_2}


def required_parties(youth: Youth, day: date) -> set[ConsentParty]:
    """Who must consent on the day: the guardians under 18 (and the youth too from 15); the
    youth alone from 18. Raises RuleViolation when the age is unknown or unclear."""
    ages = age_range(youth, day)
    if ages is None:
        raise RuleViolation(AGE_UNKNOWN)
    low, high = ages
    for threshold in (YOUTH_CONSENTS_FROM, ADULT_FROM):
        if low < threshold <= high:
            raise RuleViolation(
                _l(
                    "The youth may be just under or just over %(age)d on that day. Add the "
                    "personal identity number so that the age rule can be applied.",
                    age=threshold,
                )
            )
    if low >= ADULT_FROM:
        return {ConsentParty.YOUTH}
    guardians = {GUARDIAN_PARTIES[g.position] for g in youth.guardians}
    if low >= YOUTH_CONSENTS_FROM:
        return guardians | {ConsentParty.YOUTH}
    return guardians


def record(
    user: User,
    youth: Youth,
    *,
    given_by: ConsentParty | None,
    recipients: Iterable[Recipient],
    other_recipient: str,
    purpose: str,
    form: ConsentForm | None,
    given_on: date | None,
    expires_on: date | None,
) -> Consent:
    """Record one party's consent, if that party may consent for the youth at their age."""
    policy.can_record_consent.require(user, youth)
    if given_by is None:
        raise RuleViolation(_l("Choose who gave the consent."), "given_by")
    given_on = given_on or today()
    if given_on > today():
        raise RuleViolation(_l("The consent cannot be given in the future."), "given_on")
    if expires_on is not None and expires_on <= given_on:
        raise RuleViolation(_l("The consent must expire after the day it was given."), "expires_on")
    registered = {GUARDIAN_PARTIES[g.position] for g in youth.guardians}
    if given_by != ConsentParty.YOUTH and given_by not in registered:
        raise RuleViolation(_l("Register the guardian on the youth's page first."), "given_by")
    allowed = required_parties(youth, given_on)
    if given_by not in allowed:
        if given_by == ConsentParty.YOUTH:
            raise RuleViolation(
                _l("Under 15 the guardians consent, not the youth alone."), "given_by"
            )
        raise RuleViolation(_l("From 18 the youth consents alone."), "given_by")
    recipients = list(dict.fromkeys(recipients))
    if not recipients:
        raise RuleViolation(_l("Choose whom the consent allows sharing with."), "recipients")
    if Recipient.OTHER in recipients and not other_recipient.strip():
        raise RuleViolation(_l("Say who the other recipient is."), "other_recipient")
    if not purpose.strip():
        raise RuleViolation(_l("State the purpose of the consent."), "purpose")
    if form is None:
        raise RuleViolation(_l("Choose whether the consent was oral or written."), "given_as")
    consent = Consent(
        youth_id=youth.id,
        given_by=given_by,
        purpose=purpose.strip(),
        other_recipient=other_recipient.strip() if Recipient.OTHER in recipients else "",
        form=form,
        given_on=given_on,
        expires_on=expires_on,
        recorded_by_id=user.id,
        recipient_rows=[ConsentRecipient(recipient=r) for r in recipients],
    )
    db.session.add(consent)
    db.session.flush()
    audit.record(
        AuditAction.CREATE,
        "consent",
        consent.id,
        user_id=user.id,
        kommun_id=youth.kommun_id,
        youth_id=youth.id,
        detail=given_by.value,
    )
    return consent


#: Sent in the withdrawal's transaction, with the consent and the user who recorded it: what
#: rests on the consent (a handoff to VPC) stops at once. A receiver returns what it stopped,
#: as messages to show, or nothing.
withdrawn = signal("consent withdrawn")


def withdraw(
    user: User, consent: Consent, *, withdrawn_on: date | None, reason: str
) -> tuple[ConsentWithdrawal, list]:
    """Record that a consent is withdrawn from a day; sharing that relies on it stops. The
    withdrawal, and what stopped with it (messages to show)."""
    policy.can_withdraw_consent.require(user, consent)
    withdrawn_on = withdrawn_on or today()

    def check_date():
        if not consent.given_on <= withdrawn_on <= today():
            raise RuleViolation(
                _l("The withdrawal date must be between the consent's date and today."),
                "withdrawn_on",
            )

    withdrawal = withdrawals.withdraw(
        user,
        consent,
        reason,
        lambda why: ConsentWithdrawal(
            consent=consent, withdrawn_on=withdrawn_on, reason=why, recorded_by_id=user.id
        ),
        entity_type="consent",
        already=_l("The consent is already withdrawn."),
        reason_needed=_l("Give the reason for the withdrawal."),
        check=check_date,
    )
    stopped = [message for _r, said in withdrawn.send(consent, user=user) for message in said or []]
    return withdrawal, stopped


def consents_of(youth: Youth) -> list[Consent]:
    """The youth's consents, newest first."""
    return list(
        db.session.execute(
            select(Consent).where(Consent.youth_id == youth.id).order_by(Consent.id.desc())
        ).scalars()
    )


@dataclass
class Coverage:
    """Whether active consents allow sharing with a recipient, and whose consent is missing."""

    covered: bool
    missing: list[ConsentParty]
    problem: str | None = None


def coverage(youth: Youth, recipient: Recipient, day: date | None = None) -> Coverage:
    """Do the youth's active consents cover the recipient on the day, under the age rules?"""
    day = day or today()
    try:
        needed = required_parties(youth, day)
    except RuleViolation as unclear:
        return Coverage(covered=False, missing=[], problem=str(unclear.message))
    if not needed:
        return Coverage(covered=False, missing=[], problem=str(_l("No guardian is registered.")))
    given = {
        consent.given_by
        for consent in consents_of(youth)
        if consent.is_active_on(day) and consent.covers(recipient)
    }
    order = list(ConsentParty)
    missing = sorted(needed - given, key=order.index)
    return Coverage(covered=not missing, missing=missing)


def reassign(duplicate: Youth, kept: Youth) -> int:
    """A merge: the duplicate's consents are the kept record's now (how many)."""
    return move_rows(Consent, duplicate, kept)
