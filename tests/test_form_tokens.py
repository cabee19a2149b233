"""Every form that creates a record carries a one-time token: sent twice (a double tap, a
resend after a lost answer, back and send again) it makes one record and shows it; sent twice
at the same moment, the same. The token is good for its own user and form only."""

import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.auth.models import User
from outreach.clock import now, today
from outreach.consent.models import Consent, ConsentWithdrawal
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Area, Place, Team
from outreach.privacy import retention
from outreach.privacy.models import AccessRequest, AccessReview, LegalHold
from outreach.reports.models import ReportOfConcern
from outreach.review import services as review_services
from outreach.review.models import ShiftReview
from outreach.risk import services as risk_services
from outreach.risk.models import RiskMarking, RiskMarkingWithdrawal, WarningSign
from outreach.shifts.models import Shift
from outreach.submissions import FormSubmission
from outreach.vocabulary import ConsentParty, RiskLevel
from outreach.youths.models import IdentifiedContact, ProtectedAccess, Youth
from tests.addresses import address_for
from tests.factories import (
    default_kommun,
    give_consent,
    log_named,
    make_past_shift,
    make_shift,
    make_youth,
    signs,
)
from tests.html_forms import form_on


@dataclass
class Case:
    """A creating form: who sends it, the page that shows it, where it goes, what it makes."""

    who: str
    page: str
    action: str
    data: dict
    model: type


def _cases(world, ids) -> dict[str, Case]:
    youth, contact, shift = ids["youth"], ids["contact"], ids["shift"]
    day = today().isoformat()
    return {
        "user": Case(
            "admin",
            "/admin/anvandare/ny",
            "/admin/anvandare/ny",
            {
                "username": "ny_kollega",
                "display_name": "Ny Kollega",
                "role": "field_worker",
                "teams": [world.team_a],
                "password": "ett-långt-lösenord-1",
            },
            User,
        ),
        "team": Case(
            "admin",
            "/admin/team/nytt",
            "/admin/team/nytt",
            {"name": "Väster", "kind": "field"},
            Team,
        ),
        "area": Case(
            "admin", "/admin/omraden/nytt", "/admin/omraden/nytt", {"name": "Limhamn"}, Area
        ),
        "place": Case(
            "admin",
            "/admin/platser/ny",
            "/admin/platser/ny",
            {"area": world.area, "name": "Ribersborg", "kind": "square"},
            Place,
        ),
        "warning sign": Case(
            "admin",
            "/admin/varningstecken",
            "/admin/varningstecken",
            {"group": "individual", "label": "Nya dyra kläder"},
            WarningSign,
        ),
        "shift": Case(
            "falt_a2",
            "/faltpass/nytt",
            "/faltpass/nytt",
            {"team": world.team_a, "area": world.area},
            Shift,
        ),
        "youth": Case(
            "falt_a",
            "/ungdomar/ny",
            "/ungdomar/ny",
            {"alias": "Tjej med grön jacka", "legal_basis": "consent"},
            Youth,
        ),
        "named contact": Case(
            "falt_a",
            f"/faltpass/{shift}/namngiven-kontakt?ungdom={youth}",
            f"/faltpass/{shift}/namngiven-kontakt",
            {"youths": [youth], "facts": "Pratade om skolan."},
            IdentifiedContact,
        ),
        "correction": Case(
            "falt_a",
            f"/kontakter/{contact}/rattelse",
            f"/kontakter/{contact}/rattelse",
            {"facts": "Pratade om skolan och fritids.", "assessment": ""},
            IdentifiedContact,
        ),
        "risk marking": Case(
            "falt_a",
            f"/ungdomar/{youth}/orosmarkering",
            f"/ungdomar/{youth}/orosmarkering",
            {"level": "elevated", "signs": [ids["sign"]], "comment": "Ny jacka."},
            RiskMarking,
        ),
        "consent": Case(
            "falt_a",
            f"/ungdomar/{youth}/samtycke",
            f"/ungdomar/{youth}/samtycke",
            {
                "given_by": "guardian_1",
                "given_as": "oral",
                "recipients": ["vpc"],
                "purpose": "Stöd från VPC.",
            },
            Consent,
        ),
        "report of concern": Case(
            "falt_a",
            f"/ungdomar/{youth}/orosanmalan",
            f"/ungdomar/{youth}/orosanmalan",
            {"kinds": ["crime"], "concern": "Säljer åt äldre.", "relation": "Fältarbetare."},
            ReportOfConcern,
        ),
        "handoff": Case(
            "falt_a",
            f"/ungdomar/{youth}/overlamning",
            f"/ungdomar/{youth}/overlamning",
            {
                "reason": "Rekryteras.",
                "summary": "Behöver stöd.",
                "urgency": "normal",
                "basis": "osl_10_2",
                "secrecy_assessed_by": "Eva Chef",
            },
            Handoff,
        ),
        "marking withdrawal": Case(
            "falt_a",
            f"/orosmarkeringar/{ids['marking']}/aterkalla",
            f"/orosmarkeringar/{ids['marking']}/aterkalla",
            {"reason": "Var fel ungdom."},
            RiskMarkingWithdrawal,
        ),
        "consent withdrawal": Case(
            "falt_a",
            f"/samtycken/{ids['consent']}/aterkalla",
            f"/samtycken/{ids['consent']}/aterkalla",
            {"reason": "Vårdnadshavaren ångrade sig."},
            ConsentWithdrawal,
        ),
        "shift review": Case(
            "lead_a",
            f"/faltpass/{ids['ended']}",
            f"/faltpass/{ids['ended']}/granskad",
            {},
            ShiftReview,
        ),
        "shift review from the list": Case(
            "lead_a",
            "/granskning?show=shifts",
            f"/faltpass/{ids['ended']}/granskad",
            {},
            ShiftReview,
        ),
        "shift returned": Case(
            "lead_a",
            f"/faltpass/{ids['ended']}",
            f"/faltpass/{ids['ended']}/aterlamna",
            {"comment": "Saknas en kontakt?"},
            ShiftReview,
        ),
        "returned shift answered": Case(
            "falt_a",
            f"/faltpass/{ids['returned']}",
            f"/faltpass/{ids['returned']}/svara",
            {"comment": "Johan var med."},
            ShiftReview,
        ),
        "legal hold": Case(
            "lead_a",
            f"/ungdomar/{youth}/bevarande",
            f"/ungdomar/{youth}/bevarande",
            {"reason": "Pågående utredning."},
            LegalHold,
        ),
        "register extract": Case(
            "lead_a",
            f"/ungdomar/{youth}/registerutdrag",
            f"/ungdomar/{youth}/registerutdrag",
            {"requested_by": "youth", "received_on": day},
            AccessRequest,
        ),
        "access log review": Case(
            "lead_a",
            "/loggkontroll",
            "/loggkontroll/granskning",
            {"team": world.team_a, "period_from": day, "period_to": day, "findings": "Inga."},
            AccessReview,
        ),
        "protected access": Case(
            "lead_a",
            f"/ungdomar/{ids['protected']}",
            f"/ungdomar/{ids['protected']}/skyddad",
            {"user": world.worker_a2},
            ProtectedAccess,
        ),
    }


@pytest.fixture
def records(app, world):
    """An open shift with a contact with a youth, a youth with protected identity, a sign."""
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        team = db.session.get(Team, world.team_a)
        shift = make_shift(worker, team, db.session.get(Area, world.area))
        youth = make_youth(
            worker, team, "Kille med röd keps", birth_year=2012, guardians=[("Anna", "0701")]
        )
        contact = log_named(shift, [youth], now())
        protected = make_youth(worker, team, "Skyddad", protected_identity=True)
        sign = db.session.scalars(signs(WarningSign.id)).first()
        marking = risk_services.mark(
            worker, youth, level=RiskLevel.LOW, sign_ids=[sign], comment="", review_on=None
        )
        consent = give_consent(worker, youth, given_by=ConsentParty.GUARDIAN_1, purpose="Stöd.")
        earlier = now() - timedelta(days=1)
        ended = make_past_shift(team, db.session.get(Area, world.area), [worker], earlier)
        returned = make_past_shift(
            team, db.session.get(Area, world.area), [worker], earlier - timedelta(days=1)
        )
        review_services.return_to_workers(
            db.session.get(User, world.lead_a), returned, "Vem var med?"
        )
        db.session.commit()
        return {
            "ended": ended.public_id,
            "returned": returned.public_id,
            "marking": marking.public_id,
            "consent": consent.public_id,
            "shift": shift.public_id,
            "youth": youth.public_id,
            "contact": contact.public_id,
            "protected": protected.public_id,
            "sign": sign,
        }


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def token_on(page: str, action: str) -> str:
    """The one-time token of the form on the page that is sent to `action`."""
    token = form_on(page, action).get("once")
    assert token, f"the form to {action} carries no one-time token"
    return token[0]


CASES = [
    "user",
    "team",
    "area",
    "place",
    "warning sign",
    "shift",
    "youth",
    "named contact",
    "correction",
    "risk marking",
    "consent",
    "report of concern",
    "handoff",
    "marking withdrawal",
    "consent withdrawal",
    "shift review",
    "shift review from the list",
    "shift returned",
    "returned shift answered",
    "legal hold",
    "register extract",
    "access log review",
    "protected access",
]


@pytest.mark.parametrize("name", CASES)
def test_a_form_sent_twice_makes_one_record_and_shows_it(app, world, records, signed_in, name):
    case = _cases(world, records)[name]
    client = signed_in(case.who)
    pages = [client.get(case.page) for _ in range(2)]
    assert [page.status_code for page in pages] == [200, 200]
    token, other = (token_on(page.get_data(as_text=True), case.action) for page in pages)
    assert token != other  # each showing of the form is a submission of its own
    before = _count(app, case.model)

    first = client.post(case.action, data={**case.data, "once": token})
    assert first.status_code == 303, first.get_data(as_text=True)
    again = client.post(case.action, data={**case.data, "once": token})
    assert again.status_code == 303, again.get_data(as_text=True)
    assert again.location == first.location  # the record made the first time is shown
    assert _count(app, case.model) == before + 1


def test_the_same_form_sent_at_the_same_moment_makes_one_record(app, world, records, signed_in):
    clients = [signed_in("falt_a"), signed_in("falt_a")]
    token = token_on(
        clients[0].get(address_for("youths.new_youth")).get_data(as_text=True), "/ungdomar/ny"
    )
    data = {"alias": "Tjej med grön jacka", "legal_basis": "consent", "once": token}
    start = threading.Barrier(2)
    answers = []

    def send(client):
        start.wait()
        answers.append(client.post(address_for("youths.new_youth"), data=data))

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [303, 303]
    assert answers[0].location == answers[1].location
    with app.app_context():
        aliases = db.session.scalars(select(Youth.alias)).all()
        assert aliases.count("Tjej med grön jacka") == 1
        assert db.session.get(FormSubmission, token) is not None


def test_a_token_is_good_for_its_own_user_and_form_only(app, world, records, signed_in):
    worker = signed_in("falt_a")
    token = token_on(
        worker.get(address_for("youths.new_youth")).get_data(as_text=True), "/ungdomar/ny"
    )
    made = worker.post(
        address_for("youths.new_youth"),
        data={"alias": "Först", "legal_basis": "consent", "once": token},
    )
    assert made.status_code == 303

    # the same token on another form, or by another user, is refused as an expired form
    other_form = worker.post(
        address_for("reports.new_report", public_id=records["youth"]),
        data={"kinds": ["crime"], "concern": "Oro.", "relation": "Fält.", "once": token},
    )
    colleague = signed_in("falt_a2").post(
        address_for("youths.new_youth"),
        data={"alias": "Andra", "legal_basis": "consent", "once": token},
    )
    for refused in (other_form, colleague):
        assert refused.status_code == 422
        assert "Formuläret har gått ut" in refused.get_data(as_text=True)
    assert _count(app, ReportOfConcern) == 0
    with app.app_context():
        assert db.session.scalars(select(Youth.alias).where(Youth.alias == "Andra")).all() == []


def test_a_malformed_token_is_refused_and_a_missing_one_is_a_plain_submission(
    app, world, records, signed_in
):
    worker = signed_in("falt_a")
    bad = worker.post(
        address_for("youths.new_youth"),
        data={"alias": "Konstig", "legal_basis": "consent", "once": "<x>"},
    )
    assert bad.status_code == 422
    assert "Formuläret har gått ut" in bad.get_data(as_text=True)  # shown, though hidden
    plain = worker.post(
        address_for("youths.new_youth"), data={"alias": "Utan", "legal_basis": "consent"}
    )
    assert plain.status_code == 303


def test_gallring_forgets_tokens_after_a_week(app, world, records, signed_in, time_machine):
    worker = signed_in("falt_a")
    token = token_on(
        worker.get(address_for("youths.new_youth")).get_data(as_text=True), "/ungdomar/ny"
    )
    worker.post(
        address_for("youths.new_youth"),
        data={"alias": "Först", "legal_basis": "consent", "once": token},
    )
    time_machine.move_to(now() + timedelta(days=8))
    with app.app_context():
        retention.apply(default_kommun(), today())
        db.session.commit()
        assert db.session.get(FormSubmission, token) is None
