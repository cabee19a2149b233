"""Refused access leaves a trace: a request for a record out of the user's scope is answered
404, exactly as for a record that does not exist, and noted (who, when, the kind, the route;
never which record). The team's lead sees their staff's refusals in the loggkontroll and the
admin the kommun's; several close together are flagged."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from outreach.auth.models import Role, User
from outreach.clock import now
from outreach.extensions import db
from outreach.ids import new_public_id
from outreach.org.models import Team
from outreach.refusals import RefusedAccess
from outreach.youths.models import Youth
from tests.addresses import address_for
from tests.factories import make_user, make_youth

YOUTH_ROUTE = "GET /ungdomar/<youth:public_id>"


@pytest.fixture
def other_team(app, world):
    """A youth of team A, and a lead of team B (falt_b's team)."""
    with app.app_context():
        youth = make_youth(
            db.session.get(User, world.worker_a), db.session.get(Team, world.team_a), "Kim"
        )
        make_user("lead_b", Role.TEAM_LEAD, [db.session.get(Team, world.team_b)])
        db.session.commit()
        return youth.public_id


def _refusals(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(select(RefusedAccess).order_by(RefusedAccess.id)).scalars()
        return [(row.user.username, row.kind, row.route, row.kommun_id) for row in rows]


def _kommun(app, world) -> int:
    with app.app_context():
        return db.session.get(Team, world.team_a).kommun_id


def test_a_record_out_of_scope_is_answered_as_missing_and_noted(app, world, other_team, signed_in):
    kommun = _kommun(app, world)
    client = signed_in("falt_b")
    refused = client.get(address_for("casefile.youth", public_id=other_team))
    missing = client.get(address_for("casefile.youth", public_id=new_public_id()))
    assert refused.status_code == missing.status_code == 404
    assert refused.get_data() == missing.get_data()  # nothing tells the two apart
    assert _refusals(app) == [("falt_b", "youth", YOUTH_ROUTE, kommun)] * 2
    with app.app_context():
        stored = db.session.execute(select(RefusedAccess.__table__)).all()
    assert other_team not in repr(stored)  # which record is not kept

    # A kind of record the role never opens, and a form sent to another team's record.
    signed_in("vpc").get(address_for("casefile.youth", public_id=other_team))
    answer = client.post(address_for("youths.edit_youth", public_id=other_team), data={})
    assert answer.status_code == 404
    assert _refusals(app)[2:] == [
        ("vpc", "youth", YOUTH_ROUTE, kommun),
        ("falt_b", "youth", "POST /ungdomar/<youth:public_id>/andra", kommun),
    ]
    with app.app_context():
        assert db.session.execute(select(Youth.alias)).scalars().all() == ["Kim"]

    # Not logged in: the door to the login, nothing noted.
    assert (
        app.test_client().get(address_for("casefile.youth", public_id=other_team)).status_code
        == 302
    )
    assert len(_refusals(app)) == 4
    # A record in scope is no refusal.
    assert (
        signed_in("falt_a").get(address_for("casefile.youth", public_id=other_team)).status_code
        == 200
    )
    assert len(_refusals(app)) == 4


def test_the_lead_and_the_admin_see_refusals_and_those_close_together_are_flagged(
    app, world, other_team, signed_in
):
    client = signed_in("falt_b")
    address = address_for("casefile.youth", public_id=other_team)
    for _ in range(6):
        assert client.get(address).status_code == 404
    start = now() - timedelta(hours=2)
    times = [start] + [start + timedelta(hours=1, minutes=2 * n) for n in range(5)]  # alone,
    with app.app_context():  # then five within ten minutes
        ids = db.session.execute(select(RefusedAccess.id).order_by(RefusedAccess.id)).scalars()
        for row_id, at in zip(ids.all(), times, strict=True):
            db.session.execute(
                update(RefusedAccess).where(RefusedAccess.id == row_id).values(occurred_at=at)
            )
        db.session.commit()

    page = signed_in("lead_b").get(address_for("privacy.access_log_page")).get_data(as_text=True)
    section = page[page.index('id="refused-heading"') :]
    assert section.count("<tr>") == 1 + 6
    assert section.count("Många nekade försök på kort tid") == 5
    assert "GET /ungdomar/…</code>" in section and other_team not in section

    # Another team's lead sees none of it; the admin sees the kommun's and is told.
    page = signed_in("lead_a").get(address_for("privacy.access_log_page")).get_data(as_text=True)
    assert "Ingen nekad åtkomst under perioden" in page
    admin = signed_in("admin")
    overview = admin.get(address_for("admin.overview")).get_data(as_text=True)
    assert "5 nekade begäranden av uppgifter bland flera" in overview
    listed = admin.get(address_for("admin.refused_access")).get_data(as_text=True)
    assert listed.count("Många nekade försök på kort tid") == 5
