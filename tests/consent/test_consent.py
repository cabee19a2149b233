"""Samtycke: the age rules (guardians under 18, the youth too from 15, the youth alone from 18),
what covers sharing with VPC, and withdrawal that stops sharing at once."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.auth.models import User
from outreach.clock import today
from outreach.consent import services
from outreach.consent.models import Consent
from outreach.extensions import db
from outreach.org.models import Team
from outreach.vocabulary import ConsentParty, Recipient
from outreach.youths.models import Youth
from tests.addresses import address_for
from tests.factories import make_youth, personnummer_for, years_ago

GUARDIANS = [("Amina Ali", "070-1"), ("Omar Ali", "070-2")]


@pytest.fixture
def youth_aged(app, world):
    """youth_aged(years, guardians=2, **details) → public id of a team A youth that age."""

    def make(years: int | None, guardians: int = 2, **details):
        with app.app_context():
            worker = db.session.get(User, world.worker_a)
            if years is not None and "birth_year" not in details:
                details["personnummer"] = personnummer_for(years_ago(years, days=10))
            youth = make_youth(
                worker,
                db.session.get(Team, world.team_a),
                f"Ungdom {years}",
                guardians=GUARDIANS[:guardians],
                **details,
            )
            db.session.commit()
            return youth.public_id

    return make


def _consent(client, youth, **data):
    data = {
        "recipients": ["vpc"],
        "purpose": "Överlämning till VPC.",
        "given_as": "written",
        **data,
    }
    return client.post(address_for("consent.new_consent", public_id=youth), data=data)


def _coverage(app, public_id, recipient=Recipient.VPC, day=None):
    with app.app_context():
        youth = db.session.execute(select(Youth).where(Youth.public_id == public_id)).scalar_one()
        return services.coverage(youth, recipient, day)


def _count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Consent.id))).scalar_one()


def test_under_15_the_guardians_consent(app, login, youth_aged):
    youth = youth_aged(12)
    client = login("falt_a")
    assert _consent(client, youth, given_by="youth").status_code == 422
    assert _consent(client, youth, given_by="guardian_1").status_code == 303
    cover = _coverage(app, youth)
    assert not cover.covered and cover.missing == [ConsentParty.GUARDIAN_2]
    assert _consent(client, youth, given_by="guardian_2").status_code == 303
    assert _coverage(app, youth).covered
    page = client.get(address_for("casefile.youth", public_id=youth)).get_data(as_text=True)
    assert "täcks av samtycke" in page


def test_from_15_the_youth_consents_too(app, login, youth_aged):
    youth = youth_aged(16, guardians=1)
    client = login("falt_a")
    _consent(client, youth, given_by="guardian_1")
    cover = _coverage(app, youth)
    assert not cover.covered and cover.missing == [ConsentParty.YOUTH]
    assert "Ungdomen" in client.get(address_for("casefile.youth", public_id=youth)).get_data(
        as_text=True
    )
    assert _consent(client, youth, given_by="youth").status_code == 303
    assert _coverage(app, youth).covered


def test_from_18_the_youth_consents_alone(app, login, youth_aged):
    youth = youth_aged(19)
    client = login("falt_a")
    assert _consent(client, youth, given_by="guardian_1").status_code == 422
    assert _consent(client, youth, given_by="youth").status_code == 303
    assert _coverage(app, youth).covered


def test_the_age_is_taken_on_the_day_of_consent(app, login, youth_aged):
    # 15 in ten days' time: a consent given today is still the guardians' alone
    with app.app_context():
        born = years_ago(15, days=-10)
    youth = youth_aged(None, personnummer=personnummer_for(born))
    assert _consent(login("falt_a"), youth, given_by="youth").status_code == 422


def test_unknown_or_unclear_age_is_refused_with_a_reason(app, login, youth_aged):
    unknown = youth_aged(None)
    response = _consent(login("falt_a"), unknown, given_by="guardian_1")
    assert response.status_code == 422 and "personnummer" in response.get_data(as_text=True)
    unclear = youth_aged(None, birth_year=today().year - 15)  # 14 or 15: cannot tell
    assert _consent(login("falt_a"), unclear, given_by="guardian_1").status_code == 422
    assert not _coverage(app, unclear).covered


def test_an_unregistered_guardian_cannot_consent(app, login, youth_aged):
    youth = youth_aged(12, guardians=1)
    assert _consent(login("falt_a"), youth, given_by="guardian_2").status_code == 422


def test_only_consent_to_vpc_covers_vpc_and_expiry_ends_it(app, login, youth_aged):
    youth = youth_aged(19)
    client = login("falt_a")
    _consent(client, youth, given_by="youth", recipients=["school", "sspf"])
    assert not _coverage(app, youth).covered
    assert _coverage(app, youth, Recipient.SCHOOL).covered
    expires = (today() + timedelta(days=30)).isoformat()
    _consent(client, youth, given_by="youth", expires_on=expires)
    assert _coverage(app, youth).covered
    assert not _coverage(app, youth, day=today() + timedelta(days=31)).covered


def test_withdrawal_stops_sharing_at_once(app, login, youth_aged):
    youth = youth_aged(19)
    client = login("falt_a")
    _consent(client, youth, given_by="youth")
    with app.app_context():
        consent_id = db.session.execute(select(Consent.public_id)).scalar_one()
    url = address_for("consent.withdraw", public_id=consent_id)
    assert client.post(url, data={"reason": ""}).status_code == 422
    assert client.post(url, data={"reason": "x", "withdrawn_on": "2001-01-01"}).status_code == 422
    future = (today() + timedelta(days=1)).isoformat()
    assert client.post(url, data={"reason": "x", "withdrawn_on": future}).status_code == 422
    assert client.post(url, data={"reason": "Vill inte längre."}).status_code == 303
    assert not _coverage(app, youth).covered
    assert client.post(url, data={"reason": "Igen."}).status_code == 422
    page = client.get(address_for("casefile.youth", public_id=youth)).get_data(as_text=True)
    assert "Återkallat" in page and "Vill inte längre." in page


@pytest.mark.parametrize(
    "data",
    [
        {"given_by": ""},
        {"given_by": "neighbour"},
        {"recipients": []},
        {"recipients": ["mafia"]},
        {"recipients": ["other"]},  # other without saying who
        {"purpose": "  "},
        {"given_as": "telepathic"},
        {"given_on": (today() + timedelta(days=2)).isoformat()},
        {"given_on": "igår"},
        {"expires_on": today().isoformat()},  # expires the day it was given
        {"purpose": "x" * 2001},
    ],
)
def test_bad_consents_are_refused_and_nothing_saved(app, login, youth_aged, data):
    youth = youth_aged(19)
    data = {"given_by": "youth", **data}
    assert _consent(login("falt_a"), youth, **data).status_code == 422
    assert _count(app) == 0


def test_other_teams_and_roles_cannot_see_or_record(app, login, youth_aged):
    youth = youth_aged(19)
    _consent(login("falt_a"), youth, given_by="youth")
    with app.app_context():
        consent_id = db.session.execute(select(Consent.public_id)).scalar_one()
    for username in ("falt_b", "vpc", "admin"):
        client = login(username)
        assert _consent(client, youth, given_by="youth").status_code == 404
        assert (
            client.post(
                address_for("consent.withdraw", public_id=consent_id), data={"reason": "x"}
            ).status_code
            == 404
        )
    assert _count(app) == 1
