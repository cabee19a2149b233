"""Factory functions for test data; each flushes and returns what it made."""

import uuid
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from outreach.admin import services as admin_services
from outreach.auth.models import Role, User
from outreach.auth.services import hash_password
from outreach.clock import from_local, now
from outreach.clock import today as clock_today
from outreach.extensions import db
from outreach.notifications.models import OutboxMail
from outreach.org.models import Area, Kommun, Place, PlaceKind, Team, TeamKind
from outreach.personnummer import for_birth_date
from outreach.shifts import services as shift_services
from outreach.shifts.models import (
    AnonymousContact,
    ContactAction,
    ContactCount,
    ContactTopic,
    Shift,
)
from outreach.vocabulary import LegalBasis, ReviewStatus
from outreach.youths import services as youth_services
from outreach.youths.models import IdentifiedContact, Youth

PASSWORD = "rätt-lösenord-123"
_HASH = None


def password_hash() -> str:
    """One argon2 hash of PASSWORD, computed once (hashing is slow on purpose)."""
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def make_kommun(name: str = "Testkommun", code: str = "9999") -> Kommun:
    """A kommun with the standard warning-sign catalogue, through the service."""
    return admin_services.create_kommun(name, code)


def signs(*columns):
    """A select of the warning signs of kommuner (not the standard catalogue they start
    from): the signs, or the columns given."""
    from outreach.risk.models import WarningSign

    return db.select(*(columns or [WarningSign])).where(WarningSign.kommun_id.is_not(None))


def default_kommun() -> Kommun:
    """The kommun of tests that name none: the first there is, made when there is none."""
    kommun = db.session.execute(db.select(Kommun).order_by(Kommun.id).limit(1)).scalar()
    return kommun or make_kommun()


def make_team(name: str, kind: TeamKind = TeamKind.FIELD, kommun: Kommun | None = None) -> Team:
    team = Team(name=name, kind=kind, kommun=kommun or default_kommun())
    db.session.add(team)
    db.session.flush()
    return team


def make_area(name: str, places: list[str] = (), kommun: Kommun | None = None) -> Area:
    area = Area(name=name, kommun=kommun or default_kommun())
    db.session.add(area)
    for place in places:
        db.session.add(Place(area=area, name=place, kind=PlaceKind.SQUARE))
    db.session.flush()
    return area


def make_user(
    username: str,
    role: Role,
    teams: list[Team],
    name: str | None = None,
    kommuner: list[Kommun] | None = None,
) -> User:
    """A user in the teams, working for their kommuner (or the ones given; the default
    kommun for a user of no team, unless the operator)."""
    if kommuner is None:
        kommuner = [] if teams or role == Role.OPERATOR else [default_kommun()]
    user = User(
        username=username,
        display_name=name or username.title(),
        role=role,
        password_hash=password_hash(),
        kommuner=list(kommuner),
        all_teams=list(teams),
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_shift(
    user: User, team: Team, area: Area, colleagues=(), started_at: datetime | None = None
) -> Shift:
    return shift_services.start_shift(
        user,
        team=team,
        area=area,
        colleagues=list(colleagues),
        started_at=started_at or now(),
        situation_note="",
    )


def make_youth(user: User, team: Team, alias: str, **details) -> Youth:
    details.setdefault("legal_basis", LegalBasis.CONSENT)
    if "home_area" in details:
        details["home_area_id"] = details.pop("home_area").id
    return youth_services.register(user, team, youth_services.YouthDetails(alias=alias, **details))


def make_adult(user: User, team: Team, alias: str = "Kille i keps", **details) -> Youth:
    """A youth of 19 (who consents alone) with a name, a personnummer and a school."""
    details.setdefault("name", "Ali Östlin")
    details.setdefault("personnummer", for_birth_date(years_ago(19, 10)))
    details.setdefault("school", "Malmö Latin")
    return make_youth(user, team, alias, **details)


def give_consent(user: User, youth: Youth, given_by=None, purpose: str = "Stöd från VPC"):
    """Consent to sharing with VPC, recorded orally today through the service: by the youth
    (an adult), or by the party given (a guardian of a child)."""
    from outreach.consent import services as consent
    from outreach.vocabulary import ConsentForm, ConsentParty, Recipient

    return consent.record(
        user,
        youth,
        given_by=given_by or ConsentParty.YOUTH,
        recipients=[Recipient.VPC],
        other_recipient="",
        purpose=purpose,
        form=ConsentForm.ORAL,
        given_on=None,
        expires_on=None,
    )


def draft_report(user: User, youth: Youth, concern: str = "Oro för rekrytering."):
    """A draft report of concern about a child, through the service."""
    from outreach.reports import services as reports
    from outreach.vocabulary import ConcernKind

    return reports.draft(
        user,
        youth,
        reports.ReportContents(
            kinds=[ConcernKind.CRIME],
            concern=concern,
            child_said="",
            reporter_saw="",
            relation="Fältarbetare",
            earlier_concern="",
            family_informed=False,
        ),
    )


def make_world() -> SimpleNamespace:
    """Two field teams (A and B), the VPC team, areas with places, and one user per role."""
    team_a = make_team("Fältgruppen Söder")
    team_b = make_team("Fältgruppen Norr")
    vpc = make_team("Våldspreventivt centrum", TeamKind.VPC)
    area = make_area("Möllevången", ["Möllevångstorget", "Folkets park"])
    other_area = make_area("Rosengård", ["Rosengårds centrum"])
    world = SimpleNamespace(
        team_a=team_a,
        team_b=team_b,
        vpc=vpc,
        area=area,
        other_area=other_area,
        place=area.places[0],
        worker_a=make_user("falt_a", Role.FIELD_WORKER, [team_a], "Fatima Fält"),
        worker_a2=make_user("falt_a2", Role.FIELD_WORKER, [team_a], "Johan Lind"),
        lead_a=make_user("lead_a", Role.TEAM_LEAD, [team_a], "Tomas Lead"),
        worker_b=make_user("falt_b", Role.FIELD_WORKER, [team_b], "Sara Öberg"),
        caseworker=make_user("vpc", Role.CASEWORKER, [vpc], "Hanna Handläggare"),
        admin=make_user("admin", Role.ADMIN, [], "Anders Admin"),
    )
    db.session.commit()
    return world


personnummer_for = for_birth_date


def years_ago(years: int, days: int = 0) -> date:
    """The date `years` years (and `days` days more) before today in Stockholm."""
    today = clock_today()
    return today.replace(year=today.year - years) - timedelta(days=days)


def local(text: str) -> datetime:
    """A Stockholm wall-clock time like "2026-10-31 23:30" as aware UTC."""
    return from_local(datetime.fromisoformat(text))


def make_past_shift(
    team: Team,
    area: Area,
    workers: list[User],
    started_at: datetime,
    hours: float = 5,
    review_status: ReviewStatus = ReviewStatus.PENDING,
) -> Shift:
    """An ended shift in the past (the service only starts shifts around now)."""
    shift = Shift(
        team=team,
        area=area,
        started_at=started_at,
        ended_at=started_at + timedelta(hours=hours),
        created_by_id=workers[0].id,
        workers=list(workers),
        review_status=review_status,
    )
    db.session.add(shift)
    db.session.flush()
    return shift


def log_tally(
    shift: Shift,
    place: Place,
    at: datetime,
    youths: int,
    counts: dict | None = None,
    topics=(),
    actions=(),
    by: User | None = None,
) -> AnonymousContact:
    """An anonymous contact at any time (the service only logs into open shifts)."""
    contact = AnonymousContact(
        shift_id=shift.id,
        place=place,
        occurred_at=at,
        youth_count=youths,
        created_by_id=(by or shift.workers[0]).id,
        counts=[ContactCount(category=str(c), count=n) for c, n in (counts or {}).items()],
        topics=[ContactTopic(topic=t) for t in topics],
        actions=[ContactAction(action=a) for a in actions],
    )
    db.session.add(contact)
    db.session.flush()
    return contact


def log_named(
    shift: Shift,
    youths: list[Youth],
    at: datetime,
    by: User | None = None,
    corrects: IdentifiedContact | None = None,
    place: Place | None = None,
) -> IdentifiedContact:
    """A contact with named youths at any time."""
    contact = IdentifiedContact(
        shift_id=shift.id,
        occurred_at=at,
        place=place,
        facts="Pratade en stund.",
        author_id=(by or shift.workers[0]).id,
        youths=list(youths),
        corrects_id=corrects.id if corrects else None,
    )
    db.session.add(contact)
    db.session.flush()
    return contact


def make_records(
    team: Team,
    worker: User,
    area: Area,
    shift_state: str = "open",
    protected: bool = False,
    report_delivered: bool = False,
) -> dict:
    """One record of every addressable kind for a team, all by `worker`, by kind:
    a shift ("open", "ended" waiting for review, or "returned" to its worker), a child of 14
    (with protected identity if asked) with a named contact in it, a risk marking, a consent,
    a report of concern (a draft, or delivered to the kommun's intake unit if asked), a
    handoff sent to VPC and a register-extract request. An earlier open shift of the worker
    is ended first."""
    from outreach.privacy.models import AccessRequest
    from outreach.reports import services as reports
    from outreach.risk import services as risk
    from outreach.risk.models import WarningSign
    from outreach.vocabulary import ConsentParty, Requester, RiskLevel

    earlier = shift_services.open_shift_of(worker)
    if earlier is not None:
        earlier.ended_at = now()
    if shift_state == "open":
        shift = make_past_shift(team, area, [worker], now() - timedelta(hours=1))
        shift.ended_at = None
    else:
        status = ReviewStatus.RETURNED if shift_state == "returned" else ReviewStatus.PENDING
        shift = make_past_shift(
            team, area, [worker], now() - timedelta(days=1), review_status=status
        )
    child = make_youth(
        worker,
        team,
        f"Barn i {team.name}",
        name="Kim Exempel",
        personnummer=personnummer_for(years_ago(14, 40), serial=100 + shift.id % 800),
        guardians=[("Förälder Exempel", "070-000 00 00")],
        protected_identity=protected,
    )
    contact = log_named(shift, [child], shift.started_at + timedelta(minutes=5))
    sign = db.session.execute(
        signs(WarningSign.id)
        .where(WarningSign.kommun_id == team.kommun_id, WarningSign.is_active.is_(True))
        .limit(1)
    ).scalar_one()
    marking = risk.mark(
        worker, child, level=RiskLevel.ELEVATED, sign_ids=[sign], comment="", review_on=None
    )
    given = give_consent(worker, child, given_by=ConsentParty.GUARDIAN_1)
    report = draft_report(worker, child)
    if report_delivered:
        reports.deliver(worker, report, "http://localhost")
    handoff = send_handoff(worker, child, shared_fields=["name"])
    request = AccessRequest(
        youth_id=child.id,
        requested_by=Requester.YOUTH,
        received_on=clock_today(),
        due_on=clock_today() + timedelta(days=30),
        registered_by_id=worker.id,
    )
    db.session.add(request)
    db.session.commit()
    return {
        "shift": shift,
        "youth": child,
        "contact": contact,
        "marking": marking,
        "consent": given,
        "report": report,
        "handoff": handoff,
        "request": request,
    }


def login_session_of(app, client):
    """The server-side LoginSession of a test client's session cookie (detached)."""
    from outreach.auth.models import LoginSession

    with client.session_transaction() as session:
        token = session["sid"]
    with app.app_context():
        row = db.session.execute(
            db.select(LoginSession).where(LoginSession.token == token)
        ).scalar_one()
        db.session.expunge(row)
        return row


def send_handoff(worker: User, youth: Youth, **changes):
    """Hand a youth over to VPC through the service, on an exception to secrecy (no consent
    needed), with the normal 24-hour clock; the handoff."""
    from outreach.handoffs import services as handoffs
    from outreach.vocabulary import HandoffBasis, Urgency

    details = {
        "reason": "Rekryteringsrisk",
        "summary": "Behöver kontakt.",
        "urgency": Urgency.NORMAL,
        "wants_to_leave_crime": False,
        "basis": HandoffBasis.OSL_10_2,
        "secrecy_assessed_by": "Enhetschef",
        "shared_fields": [],
        "first_contact_hours": {Urgency.NORMAL: 24, Urgency.URGENT: 4},
        "base_url": "http://127.0.0.1",
        **changes,
    }
    return handoffs.send(worker, youth, **details)


def make_dead_letter(kommun: Kommun | None = None) -> OutboxMail:
    """A mail the SMTP server refused for good, waiting for the kommun's admin."""
    mail = OutboxMail(
        kommun_id=(kommun or default_kommun()).id,
        dedupe_key=f"test:{uuid.uuid4()}",
        to_address="vpc@example.test",
        subject="Outreach: a new handoff",
        body="Open Outreach.",
        attempts=1,
        last_error="550 5.1.1 No such mailbox",
        dead_at=now(),
    )
    db.session.add(mail)
    db.session.commit()
    return mail


def make_identity_provider(issuer: str, mappings=(), kommun: Kommun | None = None, **settings):
    """The kommun's OpenID Connect provider (client "outreach", secret "hemligt") with group
    mappings: (group, role, team or None). With `idp_metadata`: a SAML provider, with
    Outreach's key pair for the kommun."""
    from outreach.auth import saml
    from outreach.auth.models import GroupMapping, IdentityProvider, ProviderKind

    kommun = kommun or default_kommun()
    if settings.get("idp_metadata"):
        key, certificate = saml.new_key_pair(kommun.name)
        settings |= {
            "kind": ProviderKind.SAML,
            "sp_private_key": key,
            "sp_certificate": certificate,
        }
    provider = IdentityProvider(
        kommun_id=kommun.id,
        kind=settings.pop("kind", ProviderKind.OIDC),
        display_name=settings.pop("display_name", kommun.name),
        issuer=issuer,
        client_id="outreach",
        client_secret="hemligt",
        **settings,
    )
    provider.mappings = [
        GroupMapping(kommun_id=kommun.id, group=group, role=role, team_id=team.id if team else None)
        for group, role, team in mappings
    ]
    db.session.add(provider)
    db.session.flush()
    return provider
