"""Authorization: every endpoint declares a policy, and each record type is scoped to teams."""

from datetime import timedelta

import pytest
from flask import Flask

from outreach import create_app, policy
from outreach.auth.models import Role, User
from outreach.clock import now
from outreach.extensions import db
from outreach.org.models import Area, Team
from tests.conftest import test_config
from tests.factories import make_past_shift, make_shift, make_user, make_youth


def test_every_endpoint_declares_a_policy(app: Flask):
    with app.test_request_context():
        missing = [
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if policy.endpoint_policy(rule.endpoint) is None
        ]
    assert missing == []


def test_an_endpoint_without_a_policy_is_refused(database_url, world):
    fresh = create_app(test_config(database_url))
    fresh.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    client = fresh.test_client()
    assert client.get("/undeclared").status_code == 403


@pytest.fixture
def team_a_records(app, world):
    """A shift, a youth and an identified contact of team A; their public ids."""
    from outreach.youths import services

    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        shift = make_shift(
            worker, db.session.get(Team, world.team_a), db.session.get(Area, world.area)
        )
        youth = make_youth(worker, db.session.get(Team, world.team_a), "Kille i keps")
        contact = services.record_contact(
            worker,
            shift,
            youths=[youth],
            facts="Pratade.",
            assessment="",
            occurred_at=None,
            place=None,
        )
        db.session.commit()
        return {"shift": shift.public_id, "youth": youth.public_id, "contact": contact.public_id}


# Who may open team A's records: team A's staff; for everyone else a record's address does not
# exist (404), whether they are in another team or in a role without field work; anonymous
# goes to login.
EXPECTED = {
    "falt_a": 200,
    "falt_a2": 200,
    "lead_a": 200,
    "falt_b": 404,
    "vpc": 404,
    "admin": 404,
    None: 302,
}

PAGES = {
    "shift": "/faltpass/{shift}",
    "anonymous contact form": "/faltpass/{shift}/anonym-kontakt",
    "identified contact form": "/faltpass/{shift}/namngiven-kontakt",
    "youth": "/ungdomar/{youth}",
    "youth edit": "/ungdomar/{youth}/andra",
    "correction": "/kontakter/{contact}/rattelse",
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("username", EXPECTED)
def test_team_scope_truth_table(app, login, team_a_records, page, username):
    client = login(username) if username else app.test_client()
    url = PAGES[page].format(**team_a_records)
    expected = EXPECTED[username]
    if username == "falt_a2" and page in {"anonymous contact form", "identified contact form"}:
        expected = 403  # same team, but not out on this shift: may look, may not log in it
    if username == "lead_a" and page in {"anonymous contact form", "identified contact form"}:
        expected = 403
    if username == "falt_a2" and page == "correction":
        expected = 403  # only the author or a team lead corrects an entry
    assert client.get(url).status_code == expected


def test_neighbouring_and_made_up_ids_are_not_found(login, team_a_records):
    client = login("falt_a")
    for made_up in ["1", "2", "0", team_a_records["youth"][:-1] + "x", "%2e%2e"]:
        assert client.get(f"/ungdomar/{made_up}").status_code == 404
        assert client.get(f"/faltpass/{made_up}").status_code == 404


def test_team_b_cannot_post_into_team_a_records(login, team_a_records, world):
    client = login("falt_b")
    shift, youth, contact = (team_a_records[k] for k in ("shift", "youth", "contact"))
    assert (
        client.post(
            f"/faltpass/{shift}/anonym-kontakt", data={"place": world.place, "youth_count": 1}
        ).status_code
        == 404
    )
    assert client.post(f"/faltpass/{shift}/avsluta").status_code == 404
    assert client.post(f"/ungdomar/{youth}/andra", data={"alias": "x"}).status_code == 404
    assert client.post(f"/kontakter/{contact}/rattelse", data={"facts": "x"}).status_code == 404


def test_admin_sees_no_youth_data(login, team_a_records):
    admin = login("admin")
    assert admin.post("/ungdomar", data={"q": "keps"}).status_code == 403
    assert "Kille i keps" not in admin.get("/admin/").get_data(as_text=True)


def test_field_worker_cannot_use_admin_pages(login, world):
    assert login("falt_a").get("/admin/").status_code == 403
    assert login("lead_a").get("/admin/anvandare/ny").status_code == 403


def test_scoped_queries_hold_for_each_record_type(app, world, team_a_records):
    from sqlalchemy import func, select

    with app.app_context():
        for user_id, expected in [
            (world.worker_a, 1),
            (world.worker_b, 0),
            (world.caseworker, 0),
            (world.admin, 0),
        ]:
            user = db.session.get(User, user_id)
            for query in (
                policy.visible_shifts(user),
                policy.visible_youths(user),
                policy.visible_identified_contacts(user),
            ):
                count = db.session.execute(
                    select(func.count()).select_from(query.subquery())
                ).scalar_one()
                assert count == expected, (user.username, str(query))


def test_protected_identity_is_seen_by_creator_author_and_lead_only(app, world, login):
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        youth = make_youth(
            worker,
            db.session.get(Team, world.team_a),
            "Skyddad ungdom",
            name="Hemlig Person",
            protected_identity=True,
        )
        db.session.commit()
        public_id = youth.public_id
    assert login("falt_a").get(f"/ungdomar/{public_id}").status_code == 200
    assert login("lead_a").get(f"/ungdomar/{public_id}").status_code == 200
    colleague = login("falt_a2")
    assert colleague.get(f"/ungdomar/{public_id}").status_code == 404
    assert "Skyddad ungdom" not in colleague.post("/ungdomar", data={"q": "skyddad"}).get_data(
        as_text=True
    )
    # In lists the name is masked even for those who may open the record.
    listing = login("lead_a").post("/ungdomar", data={"q": "skyddad"}).get_data(as_text=True)
    assert "Skyddad ungdom" in listing and "Hemlig Person" not in listing


@pytest.fixture
def issue_3_records(app, world):
    """A risk marking, consent, handoff and report of concern about a team A child."""
    from outreach.consent import services as consent
    from outreach.handoffs import services as handoffs
    from outreach.reports import services as reports
    from outreach.risk import services as risk
    from outreach.vocabulary import (
        ConcernKind,
        ConsentForm,
        ConsentParty,
        HandoffBasis,
        Recipient,
        RiskLevel,
        Urgency,
    )
    from tests.factories import personnummer_for, years_ago

    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        child = make_youth(
            worker,
            db.session.get(Team, world.team_a),
            "Barn 14",
            personnummer=personnummer_for(years_ago(14, 40)),
            guardians=[("Förälder", "")],
        )
        marking = risk.mark(
            worker, child, level=RiskLevel.NONE, sign_ids=[], comment="", review_on=None
        )
        given = consent.record(
            worker,
            child,
            given_by=ConsentParty.GUARDIAN_1,
            recipients=[Recipient.VPC],
            other_recipient="",
            purpose="VPC",
            form=ConsentForm.ORAL,
            given_on=None,
            expires_on=None,
        )
        report = reports.draft(
            worker,
            child,
            reports.ReportContents(
                kinds=[ConcernKind.CRIME],
                concern="Oro.",
                child_said="",
                reporter_saw="",
                relation="Fältarbetare",
                earlier_concern="",
                family_informed=False,
            ),
        )
        handoff = handoffs.send(
            worker,
            child,
            reason="R",
            summary="S",
            urgency=Urgency.NORMAL,
            wants_to_leave_crime=False,
            basis=HandoffBasis.OSL_10_2,
            secrecy_assessed_by="Chef",
            shared_fields=[],
            token="policy",
            first_contact_hours={Urgency.NORMAL: 24, Urgency.URGENT: 4},
            base_url="http://x",
        )
        db.session.commit()
        return {
            "child": child.public_id,
            "marking": marking.public_id,
            "consent": given.public_id,
            "report": report.public_id,
            "handoff": handoff.public_id,
        }


TEAM_ONLY = {
    "falt_a": 200,
    "falt_a2": 200,
    "lead_a": 200,
    "falt_b": 404,
    "vpc": 404,
    "admin": 404,
    None: 302,
}
ISSUE_3_PAGES = {
    "/ungdomar/{child}/orosmarkering": TEAM_ONLY,
    "/ungdomar/{child}/samtycke": TEAM_ONLY,
    "/ungdomar/{child}/overlamning": TEAM_ONLY,
    "/ungdomar/{child}/orosanmalan": TEAM_ONLY,
    "/samtycken/{consent}/aterkalla": TEAM_ONLY,
    "/orosanmalningar/{report}/utskrift": TEAM_ONLY,
    "/orosmarkeringar/{marking}/aterkalla": {**TEAM_ONLY, "falt_a2": 403},  # author or lead
    "/overlamningar/{handoff}": {**TEAM_ONLY, "vpc": 200},  # VPC sees the handoff itself
    "/vpc": {
        "falt_a": 403,
        "falt_a2": 403,
        "lead_a": 403,
        "falt_b": 403,
        "vpc": 200,
        "admin": 403,
        None: 302,
    },
}


@pytest.mark.parametrize("page", ISSUE_3_PAGES)
@pytest.mark.parametrize("username", EXPECTED)
def test_issue_3_truth_table(app, login, issue_3_records, page, username):
    client = login(username) if username else app.test_client()
    url = page.format(**issue_3_records)
    assert client.get(url).status_code == ISSUE_3_PAGES[page][username]


# Issue 4: review is for the leads of field teams; statistics for every team lead (a VPC lead
# follows all field teams); nobody else gets either.
ISSUE_4_PAGES = {
    "review list": "/granskning",
    "review export": "/granskning/export.csv",
    "statistics": "/statistik",
    "statistics export": "/statistik/export.xlsx",
    "monthly report": "/statistik/manadsrapport",
}
ISSUE_4_EXPECTED = {
    "falt_a": {},
    "lead_a": {page: 200 for page in ISSUE_4_PAGES},
    "vpc_lead": {"statistics": 200, "statistics export": 200, "monthly report": 200},
    "vpc": {},
    "admin": {},
}


@pytest.fixture
def issue_4_users(app, world):
    with app.app_context():
        make_user("vpc_lead", Role.TEAM_LEAD, [db.session.get(Team, world.vpc)])
        db.session.commit()


@pytest.mark.parametrize("page", ISSUE_4_PAGES)
@pytest.mark.parametrize("username", ISSUE_4_EXPECTED)
def test_issue_4_truth_table(login, issue_4_users, page, username):
    expected = ISSUE_4_EXPECTED[username].get(page, 403)
    assert login(username).get(ISSUE_4_PAGES[page]).status_code == expected


@pytest.mark.parametrize(
    ("username", "expected"),
    [("lead_a", 303), ("falt_a", 404), ("vpc_lead", 404), ("vpc", 404), ("admin", 404)],
)
def test_only_a_lead_of_the_team_signs_off(app, world, login, issue_4_users, username, expected):
    with app.app_context():
        shift = make_past_shift(
            db.session.get(Team, world.team_a),
            db.session.get(Area, world.area),
            [db.session.get(User, world.worker_a)],
            now() - timedelta(days=1),
        )
        db.session.commit()
        public_id = shift.public_id
    assert login(username).post(f"/faltpass/{public_id}/granskad").status_code == expected
