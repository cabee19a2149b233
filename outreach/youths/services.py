"""The rules of the youth registry and of contacts with named youths."""

import unicodedata
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach import audit, personnummer, policy, scopes
from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.clock import now
from outreach.crypto import keys, make_subject_key
from outreach.errors import RuleViolation
from outreach.extensions import db
from outreach.org.models import Team
from outreach.vocabulary import Gender, LegalBasis
from outreach.youths import protection
from outreach.youths.models import Guardian, Youth

SEARCH_LIMIT = 20
EARLIEST_BIRTH_YEAR = 1980


def fold(text: str) -> str:
    """Lowercase without accents, so "Östlin" and "ostlin", "Åsa" and "asa" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_key(youth: Youth) -> str:
    """What a search matches: alias, name and birth year, folded."""
    parts = [youth.alias, youth.name, str(youth.birth_year or "")]
    return fold(" ".join(part for part in parts if part))[:400]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(user: User, query: str, limit: int = SEARCH_LIMIT) -> list[Youth]:
    """The user's visible youths whose alias, name or birth year hold every word of the query,
    or whose personnummer it is.

    Each youth listed is written to the access log, since the list shows who they are.
    """
    statement = scopes.visible_youths(user)
    try:
        # A whole personnummer is looked up exactly, by its keyed hash (it is stored encrypted).
        pnr = personnummer.normalise(query)
    except personnummer.InvalidPersonnummer:
        terms = fold(query).split()[:5]
        if not terms:
            return []
        for term in terms:
            statement = statement.where(
                Youth.search_key.like(f"%{_escape_like(term)}%", escape="\\")
            )
    else:
        statement = statement.where(Youth.personnummer_lookup.in_(keys().lookup_hashes(pnr)))
    statement = statement.order_by(Youth.alias, Youth.id).limit(limit)
    found = list(db.session.execute(statement).scalars())
    audit.record_youths(
        AuditAction.LIST,
        [youth.id for youth in found],
        user_id=user.id,
        kommun_id=user.kommun_id,
        detail="search",
    )
    return found


@dataclass
class YouthDetails:
    """What a form says about a youth; everything but alias and legal basis may be blank."""

    alias: str
    legal_basis: LegalBasis | None
    name: str = ""
    birth_year: int | None = None
    gender: Gender | None = None
    personnummer: str = ""
    home_area_id: int | None = None
    school: str = ""
    interpreter_language: str = ""
    protected_identity: bool = False
    guardians: list[tuple[str, str]] = field(default_factory=list)


def _apply(youth: Youth, details: YouthDetails, team_id: int) -> dict[str, tuple]:
    """Validate and copy the details onto the youth; returns {field: (old, new)} of changes."""
    alias = details.alias.strip()
    if not alias:
        raise RuleViolation(_l("An alias is required."), "alias")
    if details.legal_basis is None:
        raise RuleViolation(
            _l("State the purpose and legal basis for registering the youth."), "legal_basis"
        )
    pnr = None
    birth_year = details.birth_year
    if details.personnummer.strip():
        try:
            pnr = personnummer.normalise(details.personnummer)
        except personnummer.InvalidPersonnummer:
            raise RuleViolation(
                _l("That is not a valid personal identity number (YYYYMMDD-NNNN)."),
                "personnummer",
            ) from None
        if birth_year is not None and birth_year != personnummer.birth_year(pnr):
            raise RuleViolation(
                _l("The birth year does not match the personal identity number."), "birth_year"
            )
        birth_year = personnummer.birth_year(pnr)
        taken = db.session.execute(
            select(Youth.protected_identity).where(
                Youth.team_id == team_id,
                Youth.personnummer_lookup.in_(keys().lookup_hashes(pnr)),
                Youth.id != youth.id,
            )
        ).first()
        if taken:
            raise RuleViolation(
                _l(
                    "The team has already registered this personal identity number, under "
                    "protected identity: ask your team lead."
                )
                if taken.protected_identity
                else _l("A youth with this personal identity number is already registered."),
                "personnummer",
            )
    if birth_year is not None and not EARLIEST_BIRTH_YEAR <= birth_year <= now().year:
        raise RuleViolation(
            _l("Enter a birth year from %(a)d to %(b)d.", a=EARLIEST_BIRTH_YEAR, b=now().year),
            "birth_year",
        )
    for name, phone in details.guardians:
        if phone.strip() and not name.strip():
            raise RuleViolation(_l("Give the guardian's name with the phone number."), "guardians")

    values = {
        "alias": alias,
        "name": details.name.strip(),
        "birth_year": birth_year,
        "gender": details.gender,
        "personnummer": pnr,
        "home_area_id": details.home_area_id,
        "school": details.school.strip(),
        "interpreter_language": details.interpreter_language.strip(),
        "protected_identity": bool(details.protected_identity),
        "legal_basis": details.legal_basis,
    }
    changed = audit.apply_changes(youth, values)
    guardians = [(n.strip(), p.strip()) for n, p in details.guardians if n.strip()][:2]
    current = [(g.name, g.phone) for g in youth.guardians]
    if guardians != current:
        changed["guardians"] = (current, guardians)
        youth.guardians = [
            Guardian(position=index, name=name, phone=phone)
            for index, (name, phone) in enumerate(guardians, start=1)
        ]
    youth.search_key = search_key(youth)
    return changed


def register(user: User, team: Team | None, details: YouthDetails) -> Youth:
    """Register a youth in one of the user's field teams; alias and legal basis required."""
    if not policy.can_register_youth_in(user, team):
        raise RuleViolation(policy.can_register_youth_in.refusal, "team")
    youth = Youth(team_id=team.id, created_by_id=user.id, guardians=[])
    _apply(youth, details, team.id)
    db.session.add(youth)
    db.session.flush()
    make_subject_key(youth.id)
    audit.record(
        AuditAction.CREATE,
        "youth",
        youth.id,
        user_id=user.id,
        kommun_id=youth.kommun_id,
        youth_id=youth.id,
    )
    protection.keep_access_of_marker(user, youth)
    return youth


def update(user: User, youth: Youth, details: YouthDetails) -> list[str]:
    """Add or change what is known of a youth. The audit trail keeps old and new values, so
    no edit loses what was there before. Returns the names of the changed fields."""
    was_protected = youth.protected_identity
    changed = _apply(youth, details, youth.team_id)
    if was_protected and not youth.protected_identity and not policy.leads_team_of(user, youth):
        raise RuleViolation(
            _l("Only a team lead of the youth's team can lift protected identity."),
            "protected_identity",
        )
    if "protected_identity" in changed:
        protection.keep_access_of_marker(user, youth)
    if changed:
        youth.updated_at = now()
        db.session.flush()
        audit.record(
            AuditAction.UPDATE,
            "youth",
            youth.id,
            user_id=user.id,
            kommun_id=youth.kommun_id,
            youth_id=youth.id,
            detail=",".join(changed),
            changes=changed,
        )
    return list(changed)


def history(youth: Youth) -> list:
    """The youth's registration and edits, newest first: who, when, which fields."""
    return list(
        db.session.execute(
            select(AuditEvent)
            .where(
                AuditEvent.youth_id == youth.id,
                AuditEvent.entity_type == "youth",
                AuditEvent.action.in_([AuditAction.CREATE, AuditAction.UPDATE]),
            )
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        ).scalars()
    )


def record_listed(user: User, youths: list[Youth], what: str) -> None:
    """Write that a list showed the user these youths (a list shows who they are)."""
    audit.record_youths(
        AuditAction.LIST,
        [y.id for y in youths],
        user_id=user.id,
        kommun_id=user.kommun_id,
        detail=what,
    )


def record_read(user: User, youth: Youth, what: str = "page") -> None:
    """Write that the user opened the youth's record (the page, the edit form …)."""
    audit.record(
        AuditAction.READ,
        "youth",
        youth.id,
        user_id=user.id,
        kommun_id=youth.kommun_id,
        youth_id=youth.id,
        detail=what,
    )


def youths_by_public_id(user: User, public_ids: list[str]) -> list[Youth]:
    """The youths among these public ids that the user may see."""
    if not public_ids:
        return []
    return list(
        db.session.execute(
            scopes.visible_youths(user).where(Youth.public_id.in_(public_ids[:50]))
        ).scalars()
    )
