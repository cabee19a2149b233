"""Authorization: every endpoint declares a policy, and each record type is scoped to teams.

What each role gets from each endpoint is tested in test_authorization_matrix.py."""

import pytest
from flask import Flask

from outreach import create_app, policy, scopes
from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Area, Team
from tests.addresses import address_for
from tests.conftest import test_config
from tests.factories import make_records


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
    """One record of every kind of team A (tests.factories.make_records)."""
    with app.app_context():
        make_records(
            db.session.get(Team, world.team_a),
            db.session.get(User, world.worker_a),
            db.session.get(Area, world.area),
        )


def test_admin_sees_no_youth_data(signed_in, team_a_records):
    admin = signed_in("admin")
    assert admin.post(address_for("casefile.search"), data={"q": "barn"}).status_code == 403
    assert "Barn i" not in admin.get(address_for("admin.overview")).get_data(as_text=True)


def test_field_worker_cannot_use_admin_pages(login, world):
    assert login("falt_a").get(address_for("admin.overview")).status_code == 403
    assert login("lead_a").get(address_for("admin.new_user")).status_code == 403


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
                scopes.visible_shifts(user),
                scopes.visible_youths(user),
                scopes.visible_identified_contacts(user),
            ):
                count = db.session.execute(
                    select(func.count()).select_from(query.subquery())
                ).scalar_one()
                assert count == expected, (user.username, str(query))
