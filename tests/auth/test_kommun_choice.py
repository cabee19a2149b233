"""A user who works for two kommuner acts for one at a time: chosen after login, shown in the
header, and nothing of the other kommun is in sight until they change."""

import pytest
from sqlalchemy import select

from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.org.models import Kommun, Team
from tests.addresses import address_for
from tests.factories import make_area, make_kommun, make_team, make_user, make_youth


@pytest.fixture
def shared(app, world):
    """falt_ab: in team A of kommun 1 and in a field team of kommun 2; a youth in each."""
    with app.app_context():
        other = make_kommun("Grannkommun", "0002")
        team_c = make_team("Fältgruppen Centrum", kommun=other)
        make_area("Centrum", ["Torget"], kommun=other)
        user = make_user("falt_ab", Role.FIELD_WORKER, [db.session.get(Team, world.team_a), team_c])
        team_a = db.session.get(Team, world.team_a)
        user.act_for(team_a.kommun_id)
        mine = make_youth(user, team_a, "Kille i kommun ett")
        user.act_for(other.id)
        theirs = make_youth(user, team_c, "Tjej i kommun två")
        db.session.commit()
        return {"one": mine.public_id, "two": theirs.public_id, "kommun_two": other.id}


def test_after_login_the_kommun_is_chosen_and_only_its_records_are_seen(app, login, shared):
    client = login("falt_ab")
    start = client.get(address_for("home.start"))
    assert start.status_code == 302 and "/kommun" in start.location
    choice = client.get(address_for("auth.choose_kommun")).get_data(as_text=True)
    assert "Testkommun" in choice and "Grannkommun" in choice
    chosen = client.post(address_for("auth.choose_kommun"), data={"kommun": shared["kommun_two"]})
    assert chosen.status_code == 303
    page = client.get(address_for("home.start")).get_data(as_text=True)
    assert 'class="kommun" href="/kommun"' in page and "Grannkommun" in page
    assert client.get(address_for("casefile.youth", public_id=shared["two"])).status_code == 200
    assert client.get(address_for("casefile.youth", public_id=shared["one"])).status_code == 404
    found = client.post(address_for("casefile.search"), data={"q": "kommun"}).get_data(as_text=True)
    assert "Tjej i kommun två" in found and "Kille i kommun ett" not in found


def test_a_kommun_not_one_s_own_cannot_be_chosen(app, login, signed_in, shared):
    with app.app_context():
        make_kommun("Tredje", "0003")
        db.session.commit()
        third = db.session.execute(select(Kommun.id).where(Kommun.code == "0003")).scalar_one()
    client = login("falt_ab")
    refused = client.post(address_for("auth.choose_kommun"), data={"kommun": str(third)})
    assert refused.status_code == 422 and "Välj en av dina kommuner" in refused.get_data(
        as_text=True
    )
    assert client.get(address_for("home.start")).status_code == 302  # still to choose


def test_a_user_of_one_kommun_is_never_asked(login, world):
    client = login("falt_a")
    assert client.get(address_for("home.start")).status_code == 200
    with client.application.app_context():
        user = db.session.execute(select(User).where(User.username == "falt_a")).scalar_one()
        assert user.kommun.name == "Testkommun"
