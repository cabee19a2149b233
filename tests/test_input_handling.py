"""Hostile input: script and HTML typed into every text field come back inert on every page
that shows them; reflected input (a refused form, a search, a login) is inert too; redirects
after login stay on this site.

The stored case walks the real forms: every text field of every form gets a payload with a tag
of its own, then every page of the app is read by every role. A raw payload anywhere fails the
test; so does a field whose payload is shown nowhere (the test would prove nothing about it).
"""

import inspect
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from wtforms import StringField, TextAreaField

from outreach.auth.models import Role, User
from outreach.clock import today
from outreach.consent.models import Consent
from outreach.editing import Edits
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Kommun, Team
from outreach.privacy.models import AccessRequest
from outreach.reports.models import ReportOfConcern
from outreach.risk.models import RiskMarking, WarningSign
from outreach.shifts.models import Shift
from outreach.submissions import Once
from outreach.youths.models import IdentifiedContact, Youth
from tests.addresses import address_for
from tests.factories import make_dead_letter, make_user
from tests.routes import ENDPOINTS, address_of, form_classes

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ROLES = ("falt_a", "lead_a", "vpc", "vpc_lead", "admin", "falt_a2", "drift")


def payload(tag: str, short: bool = False) -> str:
    """Markup that would run if it came back unescaped; `short` for fields of 40 characters."""
    if short:
        return f"<img src=x onerror=x{tag}>"
    return f"<script>x{tag}</script><img src=x onerror=x{tag}>{{{{7*7}}}}"


#: What must never be in a page: the payloads' markup, unescaped.
RAW = re.compile(r"<script>x\w+</script>|<img src=x onerror")


class Filled:
    """The (form, field) pairs given a payload, each with its tag."""

    def __init__(self):
        self.tags: dict[tuple[str, str], str] = {}

    def __call__(self, form: str, field: str, short: bool = False) -> str:
        tag = f"t{len(self.tags):02d}"
        self.tags[(form, field)] = tag
        return payload(tag, short)


#: Text fields that are checked as reflected input only (never stored or shown again): the
#: login name, the code of the second factor, and a personnummer, which is refused unless valid.
REFLECTED_ONLY = {
    ("LoginForm", "username"),
    # an address and claims' names: markup in them is refused
    ("IdentityProviderForm", "issuer"),
    ("IdentityProviderForm", "subject_claim"),
    ("IdentityProviderForm", "username_claim"),
    ("IdentityProviderForm", "groups_claim"),
    # SAML metadata: anything that is not the metadata of an identity provider is refused
    ("IdentityProviderForm", "idp_metadata"),
    ("CodeForm", "code"),
    ("YouthForm", "personnummer"),
    ("KommunForm", "code"),
}


def _text_fields() -> set[tuple[str, str]]:
    """Every text field of every form class of the app."""
    found = set()
    for form in form_classes():
        if _only_adds_hidden_fields(form):
            continue  # NewYouthForm is YouthForm with a one-time token: the same fields
        for field_name, unbound in _unbound(form):
            if unbound.field_class in (StringField, TextAreaField):
                found.add((form.__name__, field_name))
    return found


def _only_adds_hidden_fields(form) -> bool:
    """A form made of another and a mixin of hidden fields (a one-time token, an edit's version)."""
    mixins = {Once: {"once"}, Edits: {"version", "shown"}}
    others = [base for base in form.__bases__ if base not in mixins]
    added = set().union(*(mixins[base] for base in form.__bases__ if base in mixins))
    if not added or len(others) != 1:
        return False
    return {name for name, _ in _unbound(form)} - added == {name for name, _ in _unbound(others[0])}


def _unbound(form):
    return [
        (name, value) for name, value in inspect.getmembers(form) if hasattr(value, "field_class")
    ]


@pytest.fixture
def stored(app, world, signed_in, login):
    """Every text field of every form, filled through the real forms with a payload."""
    fill = Filled()
    with app.app_context():
        make_user("vpc_lead", Role.TEAM_LEAD, [db.session.get(Team, world.vpc)])
        db.session.commit()
    admin, worker, lead = signed_in("admin"), signed_in("falt_a"), signed_in("lead_a")
    caseworker = signed_in("vpc")

    def newest(column, *conditions):
        """The column's value in the newest row (that meets the conditions)."""
        with app.app_context():
            return db.session.execute(
                select(column).where(*conditions).order_by(column.class_.id.desc()).limit(1)
            ).scalar()

    def ok(response, *expected):
        assert response.status_code in (expected or (303,)), response.get_data(as_text=True)
        return response

    # the admin's catalogue: a team, an area, a place, a warning sign and a user
    ok(
        admin.post(
            address_for("admin.new_team"), data={"name": fill("TeamForm", "name"), "kind": "field"}
        )
    )
    ok(
        admin.post(
            address_for("admin.team_detail", team_id=world.team_b),
            data={"name": fill("TeamEditForm", "name")},
        )
    )
    ok(
        admin.post(
            address_for("admin.team_detail", team_id=world.vpc),
            data={"name": fill("UnitEditForm", "name"), "recipient": "vpc"},
        )
    )
    # the kommun's identity provider and a group at it
    ok(
        admin.post(
            address_for("admin.identity_provider"),
            data={
                "display_name": fill("IdentityProviderForm", "display_name"),
                "issuer": "https://idp.example.se",
                "client_id": fill("IdentityProviderForm", "client_id"),
                "client_secret": "hemlighet",
                "subject_claim": "sub",
                "username_claim": "preferred_username",
                "groups_claim": "groups",
                "mfa_values": fill("IdentityProviderForm", "mfa_values"),
                "is_enabled": "y",
            },
        )
    )
    ok(
        admin.post(
            address_for("admin.add_group_mapping"),
            data={"group": fill("GroupMappingForm", "group"), "role": "field_worker"},
        )
    )
    ok(admin.post(address_for("admin.new_area"), data={"name": fill("AreaForm", "name")}))
    ok(
        admin.post(
            address_for("admin.new_place"),
            data={"area": world.area, "name": fill("PlaceForm", "name"), "kind": "square"},
        )
    )
    ok(
        admin.post(
            address_for("admin.warning_signs"),
            data={"group": "individual", "label": fill("WarningSignForm", "label")},
        )
    )
    username = fill("UserForm", "username", short=True)
    ok(
        admin.post(
            address_for("admin.new_user"),
            data={
                "username": username,
                "display_name": fill("UserForm", "display_name"),
                "role": "field_worker",
                "teams": [world.team_a],
                "password": "ett-långt-lösenord-1",
            },
        )
    )
    new_user = newest(User.id, User.username == username)
    ok(
        admin.post(
            address_for("admin.user_detail", user_id=world.worker_a2),
            data={
                "display_name": fill("UserDetailsForm", "display_name"),
                "role": "field_worker",
                "teams": [world.team_a],
                "is_enabled": "y",
            },
        )
    )

    # a shift (its note comes later) and an anonymous contact with a note
    ok(
        worker.post(
            address_for("shifts.new_shift"), data={"team": world.team_a, "area": world.area}
        )
    )
    shift = newest(Shift.public_id)
    ok(
        worker.post(
            address_for("shifts.new_contact", public_id=shift),
            data={
                "place": world.place,
                "youth_count": 2,
                "note": fill("AnonymousContactForm", "note"),
            },
        )
    )
    # a youth with every detail, a contact with them and a correction of it
    details = {
        "alias": fill("YouthForm", "alias"),
        "legal_basis": "consent",
        "name": fill("YouthForm", "name"),
        "birth_year": "2016",
        "school": fill("YouthForm", "school"),
        "guardian1_name": fill("YouthForm", "guardian1_name"),
        "guardian1_phone": fill("YouthForm", "guardian1_phone", short=True),
        "guardian2_name": fill("YouthForm", "guardian2_name"),
        "guardian2_phone": fill("YouthForm", "guardian2_phone", short=True),
        "interpreter_language": fill("YouthForm", "interpreter_language"),
    }
    ok(worker.post(address_for("youths.new_youth"), data=details))
    youth = newest(Youth.public_id)
    ok(
        worker.post(
            address_for("youths.new_contact", public_id=shift),
            data={
                "youths": [youth],
                "facts": fill("IdentifiedContactForm", "facts"),
                "assessment": fill("IdentifiedContactForm", "assessment"),
            },
        )
    )
    contact = newest(IdentifiedContact.public_id)
    ok(
        worker.post(
            address_for("youths.correct_contact", public_id=contact),
            data={
                "facts": fill("CorrectionForm", "facts"),
                "assessment": fill("CorrectionForm", "assessment"),
            },
        )
    )
    # risk: a marking, and a second one withdrawn with a reason
    sign = newest(WarningSign.id)
    for comment in (fill("RiskMarkingForm", "comment"), "Andra."):
        ok(
            worker.post(
                address_for("risk.new_marking", public_id=youth),
                data={"level": "elevated", "signs": [sign], "comment": comment},
            )
        )
    marking = newest(RiskMarking.public_id)
    ok(
        worker.post(
            address_for("risk.withdraw", public_id=marking),
            data={"reason": fill("WithdrawalForm", "reason")},
        )
    )
    # consent to VPC and to another recipient, the second withdrawn with a reason
    consent_form = {"given_by": "guardian_1", "given_as": "oral"}
    ok(
        worker.post(
            address_for("consent.new_consent", public_id=youth),
            data={
                **consent_form,
                "recipients": ["vpc"],
                "purpose": fill("ConsentRecordForm", "purpose"),
            },
        )
    )
    ok(
        worker.post(
            address_for("consent.new_consent", public_id=youth),
            data={
                **consent_form,
                "recipients": ["other"],
                "other_recipient": fill("ConsentRecordForm", "other_recipient"),
                "purpose": "Fritid.",
            },
        )
    )
    withdrawn = newest(Consent.public_id)
    ok(
        worker.post(
            address_for("consent.withdraw", public_id=withdrawn),
            data={"reason": fill("ConsentWithdrawalForm", "reason")},
        )
    )
    # a report of concern, and a handoff that VPC acknowledges with a note
    ok(
        worker.post(
            address_for("reports.new_report", public_id=youth),
            data={
                "kinds": ["crime"],
                "concern": fill("ReportForm", "concern"),
                "child_said": fill("ReportForm", "child_said"),
                "reporter_saw": fill("ReportForm", "reporter_saw"),
                "relation": fill("ReportForm", "relation"),
                "earlier_concern": fill("ReportForm", "earlier_concern"),
            },
        )
    )
    ok(
        worker.post(
            address_for("handoffs.new_handoff", public_id=youth),
            data={
                "reason": fill("HandoffForm", "reason"),
                "summary": fill("HandoffForm", "summary"),
                "urgency": "normal",
                "basis": "osl_10_2",
                "secrecy_assessed_by": fill("HandoffForm", "secrecy_assessed_by"),
                "shared_fields": ["name", "school", "guardians", "interpreter_language"],
            },
        )
    )
    handoff = newest(Handoff.public_id)
    ok(
        caseworker.post(
            address_for("handoffs.take_step", public_id=handoff, step="acknowledge"),
            data={"note": fill("StepForm", "note")},
        )
    )
    # the lead keeps the record with a legal hold, answers a register-extract request and
    # records a review of the access log
    ok(
        lead.post(
            address_for("privacy.set_hold", public_id=youth),
            data={"reason": fill("LegalHoldForm", "reason")},
        )
    )
    ok(
        lead.post(
            address_for("privacy.register_request", public_id=youth),
            data={"requested_by": "youth", "received_on": today().isoformat()},
        )
    )
    request = newest(AccessRequest.public_id)
    ok(lead.get(address_for("privacy.extract_json", public_id=request)), 200)
    ok(
        lead.post(
            address_for("privacy.deliver", public_id=request),
            data={
                "delivered_on": today().isoformat(),
                "delivery_note": fill("DeliveryForm", "delivery_note"),
            },
        )
    )
    ok(
        lead.post(
            address_for("privacy.record_review"),
            data={
                "team": world.team_a,
                "period_from": today().isoformat(),
                "period_to": today().isoformat(),
                "findings": fill("AccessReviewForm", "findings"),
                "follow_up": fill("AccessReviewForm", "follow_up"),
            },
        )
    )
    # the shift ended, its note completed, returned by the lead with a comment and answered
    ok(
        worker.post(
            address_for("shifts.save_note", public_id=shift),
            data={"situation_note": fill("SituationNoteForm", "situation_note")},
        ),
        303,
        200,
    )
    ok(worker.post(address_for("shifts.end_shift", public_id=shift)))
    ok(
        lead.post(
            address_for("review.return_shift", public_id=shift),
            data={"comment": fill("ReturnForm", "comment")},
        )
    )
    ok(
        worker.post(
            address_for("review.resubmit", public_id=shift),
            data={"comment": fill("ResubmitForm", "comment")},
        )
    )
    # the next shift, started with a note
    ok(
        worker.post(
            address_for("shifts.new_shift"),
            data={
                "team": world.team_a,
                "area": world.area,
                "situation_note": fill("StartShiftForm", "situation_note"),
            },
        )
    )
    next_shift = newest(Shift.public_id, Shift.ended_at.is_(None))
    with app.app_context():
        mail = make_dead_letter().id

    records = {
        "shift": shift,
        "youth": youth,
        "contact": contact,
        "marking": marking,
        "consent": withdrawn,
        "report": newest(ReportOfConcern.public_id),
        "handoff": handoff,
        "request": request,
    }
    # the operator's: a kommun and its administrator
    with app.app_context():
        make_user("drift", Role.OPERATOR, [])
        db.session.commit()
    operator = signed_in("drift")
    ok(
        operator.post(
            address_for("health.new_kommun"),
            data={"name": fill("KommunForm", "name"), "code": "0002"},
        )
    )
    ok(
        operator.post(
            address_for("health.new_kommun_admin"),
            data={
                "kommun": newest(Kommun.id),
                "username": (kommun_admin := fill("FirstAdminForm", "username", short=True)),
                "display_name": fill("FirstAdminForm", "display_name"),
                "password": "ett-långt-lösenord-1",
            },
        )
    )
    return {
        "roles": [kommun_admin],  # the new kommun's admin sees what only it holds
        "also": [f"/faltpass/{next_shift}"],
        "tags": fill.tags,
        "records": records,
        "numbers": {"sign_id": sign, "user_id": new_user, "mail_id": mail, "team_id": world.vpc},
    }


def test_every_text_field_of_every_form_is_covered(stored):
    assert _text_fields() - REFLECTED_ONLY == set(stored["tags"]), (
        "a new text field: give it a payload in the `stored` fixture"
    )


def test_stored_payloads_come_back_inert_on_every_page(app, world, stored, signed_in):
    shown: set[str] = set()
    pages, literal_template = 0, False
    for role in (*ROLES, *stored["roles"]):
        client = signed_in(role)
        urls = list(stored["also"])
        for endpoint, rule, methods in ENDPOINTS:
            if "GET" not in methods or endpoint in {"auth.logout", "auth.logout_everywhere"}:
                continue
            url = address_of(rule, stored["records"], stored["numbers"]).url
            urls.append(url)
        for url in urls:
            for headers in ({}, {"HX-Request": "true", "HX-Request-Type": "partial"}):
                response = client.get(url, headers=headers)
                data = response.get_data()  # a streamed download runs to its end
                response.close()
                if not response.mimetype.startswith("text/html"):
                    continue
                body = data.decode()
                pages += 1
                raw = RAW.search(body)
                assert raw is None, (
                    f"{role} {url}: {body[max(0, raw.start() - 200) : raw.end() + 50]}"
                )
                shown |= set(re.findall(r"&lt;(?:script&gt;x|img src=x onerror=x)(t\d\d)", body))
                literal_template |= "{{7*7}}" in body
    never_shown = {field for field, tag in stored["tags"].items() if tag not in shown}
    assert not never_shown, f"payloads shown on no page: {sorted(never_shown)}"
    assert pages > 100
    assert literal_template  # template syntax typed into a field is shown as typed, not run
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "input-handling.txt").write_text(
        f"text fields given a stored payload: {len(stored['tags'])}\n"
        f"pages read (roles × pages, full and partial): {pages}\n"
    )


#: A payload in every text field name any form has, and in the search box.
def _everything(tag: str) -> dict[str, str]:
    names = {field for _form, field in _text_fields()} | {"q"}
    return {name: payload(tag) for name in names}


def test_reflected_input_is_inert_on_every_form(app, world, stored, signed_in):
    """A form refused (or a search answered) shows what was typed: escaped."""
    client = signed_in("falt_a")
    tried = 0
    for endpoint, rule, methods in ENDPOINTS:
        if "POST" not in methods or endpoint in {"auth.logout", "auth.logout_everywhere"}:
            continue
        url = address_of(rule, stored["records"], stored["numbers"]).url
        response = client.post(url, data=_everything("r00"))
        tried += 1
        assert response.status_code < 500, url
        body = response.get_data(as_text=True)
        assert RAW.search(body) is None, url
    anonymous = app.test_client()
    login = anonymous.post(
        address_for("auth.login"), data={"username": payload("r01"), "password": "x"}
    )
    assert login.status_code == 422 and RAW.search(login.get_data(as_text=True)) is None
    assert "&lt;script&gt;xr01" in login.get_data(as_text=True)
    assert tried > 20
    with (ARTIFACTS / "input-handling.txt").open("a") as report:
        report.write(f"forms posted with a payload in every text field name: {tried + 1}\n")


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/%2F%2Fevil.example",
        "http:/evil.example",
        "/ungdomar\r\nLocation: https://evil.example",
        " //evil.example",
        "%0d%0a//evil.example",
    ],
)
def test_the_next_page_after_login_is_always_on_this_site(world, client, target):
    response = client.post(
        address_for("auth.login"),
        query_string={"next": target},
        data={"username": "falt_a", "password": "rätt-lösenord-123"},
    )
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert not location.scheme and not location.netloc
    assert location.path.startswith("/") and not location.path.startswith("//")
    assert "\\" not in location.path
    if "%2F" not in target:  # an encoded slash stays a path on this site
        assert "evil" not in location.path
