"""Orosmarkering: signs from the admin's catalogue, a level and a review date; an append-only
history where withdrawing needs a reason; overdue reviews flagged to the team."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.auth.models import User
from outreach.clock import today
from outreach.extensions import db
from outreach.org.models import Team
from outreach.risk import services as risk_services
from outreach.risk.models import RiskMarking, RiskMarkingWithdrawal, WarningSign
from tests.addresses import address_for
from tests.factories import make_youth, signs
from tests.html_forms import form_on


@pytest.fixture
def youth(app, world):
    """A team A youth registered by falt_a; its public id."""
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        youth = make_youth(worker, db.session.get(Team, world.team_a), "Kille i keps")
        db.session.commit()
        return youth.public_id


def _signs(app) -> dict[str, int]:
    with app.app_context():
        return {s.label: s.id for s in db.session.execute(signs()).scalars()}


def _markings(app) -> list[RiskMarking]:
    with app.app_context():
        found = db.session.execute(select(RiskMarking).order_by(RiskMarking.id)).scalars().all()
        for marking in found:
            _ = marking.signs, marking.withdrawal
            db.session.expunge(marking)
        return found


def _mark(client, youth, **data):
    return client.post(address_for("risk.new_marking", public_id=youth), data=data)


def test_a_new_kommun_s_catalogue_is_the_standard_one_with_the_domain_examples(app, world):
    """The standard catalogue is seeded by the migrations; a kommun starts with a copy of it,
    its own to change."""
    with app.app_context():
        groups = dict(
            db.session.execute(
                signs(WarningSign.group, func.count()).group_by(WarningSign.group)
            ).all()
        )
        standard = db.session.execute(
            select(WarningSign.label).where(WarningSign.kommun_id.is_(None))
        ).scalars()
        assert sorted(standard) == sorted(_signs(app))
    assert {group.value for group in groups} == {
        "individual",
        "family",
        "friends",
        "school",
        "neighbourhood",
    }
    labels = _signs(app)
    assert "Äldre kamrater" in labels and "Skolfrånvaro" in labels and "Bär vapen" in labels


def test_mark_with_signs_and_level_defaults_review_to_90_days(app, world, login, youth):
    client = login("falt_a")
    signs = _signs(app)
    page = client.get(address_for("risk.new_marking", public_id=youth)).get_data(as_text=True)
    assert (today() + timedelta(days=90)).isoformat() in page
    response = _mark(
        client,
        youth,
        level="elevated",
        comment="Ny jacka och telefon.",
        signs=[signs["Äldre kamrater"], signs["Nya dyra kläder eller en andra telefon"]],
    )
    assert response.status_code == 303
    (marking,) = _markings(app)
    assert marking.level.value == "elevated" and len(marking.signs) == 2
    assert marking.review_on == today() + timedelta(days=90)
    assert marking.author_id == world.worker_a
    page = client.get(address_for("casefile.youth", public_id=youth)).get_data(as_text=True)
    assert "Förhöjd" in page and "Äldre kamrater" in page
    listing = client.post(address_for("casefile.search"), data={"q": "keps"}).get_data(as_text=True)
    assert "Oro: Förhöjd" in listing


def test_markings_are_appended_never_overwritten(app, login, youth):
    client = login("falt_a")
    signs = _signs(app)
    _mark(client, youth, level="low", signs=[signs["Skolfrånvaro"]])
    _mark(client, youth, level="acute", signs=[signs["Bär vapen"]], comment="Sågs med kniv.")
    first, second = _markings(app)
    assert first.level.value == "low" and second.level.value == "acute"
    page = client.get(address_for("casefile.youth", public_id=youth)).get_data(as_text=True)
    assert "Nuvarande nivå: <strong>Akut</strong>" in page
    assert page.count("Skolfrånvaro") == 1 and "Sågs med kniv." in page


def test_withdrawing_needs_a_reason_and_keeps_the_marking(app, login, youth):
    client = login("falt_a")
    _mark(client, youth, level="acute", signs=[_signs(app)["Bär vapen"]])
    (marking,) = _markings(app)
    url = address_for("risk.withdraw", public_id=marking.public_id)
    assert client.post(url, data={"reason": "   "}).status_code == 422
    assert client.post(url, data={}).status_code == 422
    assert client.post(url, data={"reason": "Fel ungdom."}).status_code == 303
    (marking,) = _markings(app)
    assert marking.withdrawal.reason == "Fel ungdom."
    page = client.get(address_for("casefile.youth", public_id=youth)).get_data(as_text=True)
    assert "Ingen aktiv orosmarkering." in page and "Fel ungdom." in page
    assert client.post(url, data={"reason": "Igen."}).status_code == 422  # only once


def test_only_author_or_lead_withdraws_and_other_teams_see_nothing(app, login, youth):
    _mark(login("falt_a"), youth, level="low", signs=[_signs(app)["Skolfrånvaro"]])
    (marking,) = _markings(app)
    url = address_for("risk.withdraw", public_id=marking.public_id)
    assert login("falt_a2").post(url, data={"reason": "x"}).status_code == 403
    for outsider in ("falt_b", "vpc", "admin"):
        assert login(outsider).post(url, data={"reason": "x"}).status_code == 404
        assert (
            login(outsider).get(address_for("risk.new_marking", public_id=youth)).status_code == 404
        )
    assert login("lead_a").post(url, data={"reason": "Inaktuell."}).status_code == 303
    with app.app_context():
        assert db.session.execute(select(func.count(RiskMarkingWithdrawal.id))).scalar_one() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"signs": ["Skolfrånvaro"]},  # no level
        {"level": "extreme", "signs": ["Skolfrånvaro"]},
        {"level": "low"},  # a concern without signs
        {"level": "low", "signs": [999999]},
        {"level": "low", "signs": ["abc"]},
        {"level": "low", "signs": ["Skolfrånvaro"], "review_on": "2001-01-01"},
        {"level": "low", "signs": ["Skolfrånvaro"], "review_on": "2099-01-01"},
        {"level": "low", "signs": ["Skolfrånvaro"], "review_on": "snart"},
        {"level": "low", "signs": ["Skolfrånvaro"], "comment": "x" * 2001},
    ],
)
def test_bad_markings_are_refused_and_nothing_saved(app, login, youth, data):
    signs = _signs(app)
    data = {**data, "signs": [signs.get(s, s) for s in data.get("signs", [])]}
    assert _mark(login("falt_a"), youth, **data).status_code == 422
    assert _markings(app) == []


def test_no_concern_needs_no_signs(app, login, youth):
    assert _mark(login("falt_a"), youth, level="none").status_code == 303


def test_retired_signs_are_not_offered_and_refused(app, login, youth):
    admin = login("admin")
    sign_id = _signs(app)["Skolfrånvaro"]
    page = admin.get(address_for("admin.warning_signs")).get_data(as_text=True)
    retire = form_on(page, f"/admin/varningstecken/{sign_id}/aktiv")
    assert retire["active"] == ["0"]
    for _twice in range(2):  # a double tap retires it, and does not bring it back
        assert (
            admin.post(
                address_for("admin.toggle_warning_sign", sign_id=sign_id), data=retire
            ).status_code
            == 303
        )
    assert admin.post(address_for("admin.toggle_warning_sign", sign_id=sign_id)).status_code == 400
    client = login("falt_a")
    assert "Skolfrånvaro" not in client.get(
        address_for("risk.new_marking", public_id=youth)
    ).get_data(as_text=True)
    assert _mark(client, youth, level="low", signs=[sign_id]).status_code == 422


def test_markings_past_their_review_date_are_flagged_to_the_team(app, world, login, youth):
    _mark(login("falt_a"), youth, level="elevated", signs=[_signs(app)["Äldre kamrater"]])
    with app.app_context():
        marking = db.session.execute(select(RiskMarking)).scalar_one()
        marking.review_on = today() - timedelta(days=1)  # as if marked long ago
        db.session.flush()
        risk_services.keep_review_due([marking.youth_id])
        db.session.commit()
    for username in ("falt_a2", "lead_a"):
        start = login(username).get(address_for("home.start")).get_data(as_text=True)
        assert "Orosmarkeringar att se över" in start and "Kille i keps" in start
    assert "Kille i keps" not in login("falt_b").get(address_for("home.start")).get_data(
        as_text=True
    )
    assert "Översyn försenad" in login("falt_a").get(
        address_for("casefile.youth", public_id=youth)
    ).get_data(as_text=True)


def test_admin_maintains_the_catalogue(app, world, login):
    admin = login("admin")
    assert admin.get(address_for("admin.warning_signs")).status_code == 200
    new = {"group": "school", "label": "Byter skola ofta"}
    assert admin.post(address_for("admin.warning_signs"), data=new).status_code == 303
    assert admin.post(address_for("admin.warning_signs"), data=new).status_code == 422  # twice
    assert (
        admin.post(
            address_for("admin.warning_signs"), data={"group": "moon", "label": "X"}
        ).status_code
        == 422
    )
    assert "Byter skola ofta" in _signs(app)
    assert login("falt_a").get(address_for("admin.warning_signs")).status_code == 403
    assert login("lead_a").post(address_for("admin.warning_signs"), data=new).status_code == 403
