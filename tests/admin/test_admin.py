"""The admin's pages: users, teams, areas and places (and never youth data)."""

import pytest
from sqlalchemy import select

from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.org.models import Area, Place, Team
from tests.addresses import address_for


def test_admin_creates_a_user_with_role_and_teams(app, world, login):
    admin = login("admin")
    response = admin.post(
        address_for("admin.new_user"),
        data={
            "username": "ny",
            "display_name": "Ny Person",
            "role": "team_lead",
            "teams": [world.team_a],
            "password": "tolv-tecken-minst",
            "email": "ny@example.se",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "ny")).scalar_one()
        assert user.role == Role.TEAM_LEAD and [t.id for t in user.teams] == [world.team_a]
    assert "Ny Person" in admin.get(address_for("admin.overview")).get_data(as_text=True)


@pytest.mark.parametrize(
    "data",
    [
        {"password": "kort"},
        {"username": "falt_a"},  # taken
        {"username": ""},
        {"role": "superuser"},
        {"teams": [999999]},
        {"email": "inte-en-adress"},
    ],
)
def test_bad_user_input_is_refused(app, world, login, data):
    base = {
        "username": "ny",
        "display_name": "Ny",
        "role": "field_worker",
        "password": "tolv-tecken-minst",
    }
    response = login("admin").post(address_for("admin.new_user"), data={**base, **data})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "ny")).first() is None


def test_admin_creates_teams_areas_and_places(app, world, login):
    admin = login("admin")
    assert (
        admin.post(
            address_for("admin.new_team"), data={"name": "Fältgruppen Väster", "kind": "field"}
        ).status_code
        == 303
    )
    assert (
        admin.post(
            address_for("admin.new_team"), data={"name": "fältgruppen väster", "kind": "field"}
        ).status_code
        == 422
    )
    assert (
        admin.post(address_for("admin.new_team"), data={"name": "X", "kind": "secret"}).status_code
        == 422
    )
    assert admin.post(address_for("admin.new_area"), data={"name": "Hyllie"}).status_code == 303
    assert admin.post(address_for("admin.new_area"), data={"name": ""}).status_code == 422
    assert admin.post(address_for("admin.new_area"), data={"name": "   "}).status_code == 422
    assert (
        admin.post(address_for("admin.new_team"), data={"name": "  ", "kind": "field"}).status_code
        == 422
    )
    with app.app_context():
        hyllie = db.session.execute(select(Area).where(Area.name == "Hyllie")).scalar_one().id
    assert (
        admin.post(
            address_for("admin.new_place"), data={"area": hyllie, "name": "Emporia", "kind": "mall"}
        ).status_code
        == 303
    )
    assert (
        admin.post(
            address_for("admin.new_place"), data={"area": hyllie, "name": "Emporia", "kind": "mall"}
        ).status_code
        == 422
    )
    assert (
        admin.post(
            address_for("admin.new_place"), data={"area": 999999, "name": "X", "kind": "mall"}
        ).status_code
        == 422
    )
    for url in ("/admin/team/nytt", "/admin/omraden/nytt", "/admin/platser/ny"):
        assert admin.get(url).status_code == 200
    with app.app_context():
        assert db.session.execute(
            select(Team).where(Team.name == "Fältgruppen Väster")
        ).scalar_one()
        assert (
            db.session.execute(select(Place).where(Place.name == "Emporia")).scalar_one().area_id
            == hyllie
        )


def test_only_the_admin_administers(world, login):
    for username in ("falt_a", "lead_a", "vpc"):
        client = login(username)
        assert client.get(address_for("admin.overview")).status_code == 403
        assert client.post(address_for("admin.new_area"), data={"name": "X"}).status_code == 403
