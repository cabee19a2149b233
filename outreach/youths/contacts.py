"""Contacts with named youths: recorded during a shift, corrected by appending (an entry is
never changed), and read as a youth's timeline or a shift's list, each entry with its chain
of corrections and the other youths named in it that the reader may see."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach import audit, policy, scopes
from outreach.audit import AuditAction
from outreach.auth.models import User
from outreach.clock import now
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Place
from outreach.paging import Cursor, load_in_order, newest_first
from outreach.shifts.models import Shift
from outreach.shifts.services import CLOCK_SKEW
from outreach.youths.models import IdentifiedContact, Youth, identified_contact_youth


def record_contact(
    user: User,
    shift: Shift,
    *,
    youths: list[Youth],
    facts: str,
    assessment: str,
    occurred_at: datetime | None,
    place: Place | None,
) -> IdentifiedContact:
    """Record a contact with named youths in an open shift the user is out on."""
    policy.can_log_in_shift.require(user, shift)
    if not youths:
        raise RuleViolation(_l("Choose at least one youth."), "youths")
    for youth in youths:
        if youth.team_id != shift.team_id:
            raise RuleViolation(_l("Choose youths registered by the shift's team."), "youths")
    if not facts.strip():
        raise RuleViolation(_l("Describe what was seen and said."), "facts")
    occurred_at = occurred_at or now()
    if occurred_at > now() + CLOCK_SKEW:
        raise RuleViolation(_l("The time cannot be in the future."), "occurred_at")
    if occurred_at < shift.started_at - CLOCK_SKEW:
        raise RuleViolation(_l("The contact cannot be before the shift started."), "occurred_at")
    contact = IdentifiedContact(
        shift_id=shift.id,
        occurred_at=occurred_at,
        place=place,
        facts=facts.strip(),
        assessment=assessment.strip(),
        author_id=user.id,
        youths=list(youths),
    )
    db.session.add(contact)
    db.session.flush()
    for youth in youths:
        audit.record(
            AuditAction.CREATE,
            "identified_contact",
            contact.id,
            user_id=user.id,
            kommun_id=youth.kommun_id,
            youth_id=youth.id,
        )
    return contact


def correct(
    user: User, original: IdentifiedContact, *, facts: str, assessment: str
) -> IdentifiedContact:
    """Append a correction to an entry; the original is kept and both are shown."""
    policy.can_correct.require(user, original)
    if not facts.strip():
        raise RuleViolation(_l("Describe what was seen and said."), "facts")
    if facts.strip() == original.facts and assessment.strip() == original.assessment:
        raise RuleViolation(_l("The correction does not change anything."), "facts")
    correction = IdentifiedContact(
        shift_id=original.shift_id,
        occurred_at=original.occurred_at,
        place_id=original.place_id,
        facts=facts.strip(),
        assessment=assessment.strip(),
        author_id=user.id,
        corrects_id=original.id,
        youths=list(original.youths),
    )
    db.session.add(correction)
    db.session.flush()
    for youth in original.youths:
        audit.record(
            AuditAction.CORRECT,
            "identified_contact",
            correction.id,
            user_id=user.id,
            kommun_id=youth.kommun_id,
            youth_id=youth.id,
            detail=f"corrects={original.id}",
        )
    return correction


@dataclass
class TimelineEntry:
    """A contact on a youth's timeline with the corrections appended to it, oldest first.

    `companions` are the other youths of the contact that the reader may see; `hidden` counts
    those they may not (a protected identity is never named to someone outside it).
    """

    contact: IdentifiedContact
    corrections: list[IdentifiedContact]
    companions: list[Youth] = field(default_factory=list)
    hidden: int = 0

    @property
    def current(self) -> IdentifiedContact:
        return self.corrections[-1] if self.corrections else self.contact


def _chains(contacts) -> list[TimelineEntry]:
    """Contacts (oldest first) gathered into entries, each with its chain of corrections."""
    entries: dict[int, TimelineEntry] = {}
    root_of: dict[int, int] = {}
    for contact in contacts:
        root = root_of.get(contact.corrects_id) if contact.corrects_id else None
        if root is None:
            entries[contact.id] = TimelineEntry(contact, [])
            root_of[contact.id] = contact.id
        else:
            root_of[contact.id] = root
            entries[root].corrections.append(contact)
    return list(entries.values())


def _name_visible(user: User, entries: list[TimelineEntry], besides: Youth | None) -> set[int]:
    """Fill each entry's companions (youths the user may see) and hidden count; the ids of
    the youths named."""
    others = {y.id for entry in entries for y in entry.contact.youths}
    if besides is not None:
        others.discard(besides.id)
    visible = set()
    if others:
        visible = set(
            db.session.execute(
                scopes.visible_youths(user).where(Youth.id.in_(others)).with_only_columns(Youth.id)
            ).scalars()
        )
    for entry in entries:
        for other in entry.contact.youths:
            if besides is not None and other.id == besides.id:
                continue
            if other.id in visible:
                entry.companions.append(other)
            else:
                entry.hidden += 1
    return visible


#: Contacts (with their corrections) on one page of a youth's timeline.
TIMELINE_PAGE = 20


def _with_corrections(contacts: list[IdentifiedContact]) -> list[IdentifiedContact]:
    """The contacts and every correction of them (and of those), in the order written."""
    found, ids = list(contacts), [contact.id for contact in contacts]
    while ids:
        corrections = list(
            db.session.execute(
                select(IdentifiedContact).where(IdentifiedContact.corrects_id.in_(ids))
            ).scalars()
        )
        found += corrections
        ids = [correction.id for correction in corrections]
    return sorted(found, key=lambda contact: (contact.created_at, contact.id))


def timeline(
    user: User, youth: Youth, cursor: Cursor | None = None, size: int = TIMELINE_PAGE
) -> tuple[list[TimelineEntry], Cursor | None]:
    """The youth's contacts, latest first, each with its chain of corrections, a page at a
    time; returns the page and where the next one starts."""
    # The page's ids first, then those contacts with their shift, place and author: the
    # joins then touch one page, not every contact of a youth met hundreds of times.
    ids, more = newest_first(
        select(IdentifiedContact.id)
        .join(
            identified_contact_youth,
            identified_contact_youth.c.contact_id == IdentifiedContact.id,
        )
        .where(
            identified_contact_youth.c.youth_id == youth.id,
            IdentifiedContact.corrects_id.is_(None),
        ),
        IdentifiedContact.occurred_at,
        IdentifiedContact.public_id,
        cursor,
        size,
    )
    contacts = load_in_order(IdentifiedContact, ids)
    last = contacts[-1] if more else None
    entries = _chains(_with_corrections(contacts))
    _name_visible(user, entries, besides=youth)
    entries.sort(key=lambda e: (e.contact.occurred_at, e.contact.public_id), reverse=True)
    return entries, Cursor(last.occurred_at, 0, last.public_id) if last else None


def contacts_in_shift(user: User, shift: Shift) -> list[TimelineEntry]:
    """The shift's contacts with named youths, oldest first, each with its corrections.

    `companions` are the youths the reader may see (each written to the access log), `hidden`
    counts the others; an entry with a hidden youth is shown without its text.
    """
    contacts = db.session.execute(
        select(IdentifiedContact)
        .where(IdentifiedContact.shift_id == shift.id)
        .order_by(IdentifiedContact.created_at, IdentifiedContact.id)
    ).scalars()
    entries = _chains(contacts)
    shown = sorted(_name_visible(user, entries, besides=None))
    audit.record_youths(
        AuditAction.LIST, shown, user_id=user.id, kommun_id=user.kommun_id, detail="shift"
    )
    return sorted(entries, key=lambda e: (e.contact.occurred_at, e.contact.id))
