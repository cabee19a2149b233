"""The admin sets up the kommun's receiving units (whom consent must cover, first-contact times)
and the kommun's retention time; the next handoff and gallring follow them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.audit import AuditEvent
from outreach.auth.models import User
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Kommun, Team, TeamKind
from outreach.privacy import retention
from outreach.vocabulary import Recipient
from outreach.youths.models import Youth
from tests import factories
from tests.addresses import address_for

UNIT = {"name": "Våldspreventivt centrum", "recipient": "vpc"}


def _youth(public_id: str) -> Youth:
    return db.session.execute(select(Youth).where(Youth.public_id == public_id)).scalar_one()


def _team(app, team_id: int) -> Team:
    with app.app_context():
        team = db.session.get(Team, team_id)
        db.session.expunge(team)
        return team


def test_a_new_unit_goes_to_its_page_where_its_times_are_set(app, world, login):
    admin = login("admin")
    created = admin.post(
        address_for("admin.new_team"), data={"name": "Avhopparverksamheten", "kind": "exit"}
    )
    assert created.status_code == 303
    with app.app_context():
        unit = db.session.execute(
            select(Team).where(Team.name == "Avhopparverksamheten")
        ).scalar_one()
        assert unit.recipient == Recipient.EXIT and unit.first_contact_hours is None
    assert created.location.endswith(address_for("admin.team_detail", team_id=unit.id))
    page = admin.get(created.location).get_data(as_text=True)
    assert "Tomt: driftens standard, 24 timmar." in page and "Samtycket ska omfatta" in page

    saved = admin.post(
        created.location,
        data={
            "name": "Avhopparverksamheten",
            "recipient": "exit",
            "first_contact_hours": "48",
            "urgent_first_contact_hours": "12",
        },
    )
    assert saved.status_code == 303
    unit = _team(app, unit.id)
    assert (unit.first_contact_hours, unit.urgent_first_contact_hours) == (48, 12)
    overview = admin.get(address_for("admin.overview")).get_data(as_text=True)
    assert "första kontakt inom 48 tim, 12 tim vid brådskande" in overview
    with app.app_context():
        row = db.session.execute(
            select(AuditEvent).where(AuditEvent.entity_type == "team")
        ).scalar_one()
        assert row.kommun_id == unit.kommun_id and row.user_id == world.admin
        assert set(row.changed) == {"first_contact_hours", "urgent_first_contact_hours"}


def test_the_next_handoff_to_the_unit_runs_on_its_own_time(app, world, login, adult):
    login("admin").post(
        address_for("admin.team_detail", team_id=world.vpc),
        data={**UNIT, "first_contact_hours": "36", "urgent_first_contact_hours": ""},
    )
    with app.app_context():
        youth = _youth(adult)
        handoff = factories.send_handoff(db.session.get(User, world.worker_a), youth)
        db.session.commit()
        assert handoff.first_contact_due_at - handoff.sent_at == timedelta(hours=36)


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"first_contact_hours": "6", "urgent_first_contact_hours": "8"}, "kan inte ta längre tid"),
        ({"first_contact_hours": "", "urgent_first_contact_hours": "30"}, "kan inte ta längre tid"),
        ({"first_contact_hours": "0"}, "från 1 till 168"),
        ({"first_contact_hours": "169"}, "från 1 till 168"),
        ({"first_contact_hours": "tolv"}, "från 1 till 168"),
        ({"recipient": "police"}, "Välj bland alternativen"),
        ({"recipient": ""}, "Välj bland alternativen"),
        ({"name": "Fältgruppen Söder"}, "redan ett team med det namnet"),
        ({"name": "  "}, "Ange ett namn"),
    ],
)
def test_bad_unit_settings_are_refused_and_nothing_is_saved(app, world, login, data, field_message):
    before = _team(app, world.vpc)
    response = login("admin").post(
        address_for("admin.team_detail", team_id=world.vpc), data={**UNIT, **data}
    )
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    after = _team(app, world.vpc)
    assert (after.name, after.first_contact_hours, after.urgent_first_contact_hours) == (
        before.name,
        before.first_contact_hours,
        before.urgent_first_contact_hours,
    )


def test_a_field_team_has_a_name_only(app, world, login):
    admin = login("admin")
    address = address_for("admin.team_detail", team_id=world.team_a)
    page = admin.get(address).get_data(as_text=True)
    assert "Samtycket ska omfatta" not in page and "Fatima Fält" in page  # its member
    response = admin.post(
        address, data={"name": "Fältgruppen Syd", "first_contact_hours": "2", "recipient": "vpc"}
    )
    assert response.status_code == 303
    team = _team(app, world.team_a)
    assert (team.name, team.recipient, team.first_contact_hours) == ("Fältgruppen Syd", None, None)


def test_a_team_of_another_kommun_is_not_found(app, world, login):
    with app.app_context():
        other = factories.make_team(
            "Våldspreventivt centrum", TeamKind.VPC, factories.make_kommun("Grannkommun", "0002")
        )
        db.session.commit()
        other_id = other.id
    admin = login("admin")
    address = address_for("admin.team_detail", team_id=other_id)
    assert admin.get(address).status_code == 404
    assert admin.post(address, data={**UNIT, "first_contact_hours": "2"}).status_code == 404
    assert _team(app, other_id).first_contact_hours is None
    assert (
        login("lead_a").get(address_for("admin.team_detail", team_id=world.vpc)).status_code == 403
    )


def test_the_kommun_sets_its_own_retention_time(app, world, login):
    admin = login("admin")
    address = address_for("admin.kommun_settings")
    assert "driftens standard, 5 år" in admin.get(address).get_data(as_text=True)
    assert admin.post(address, data={"retention_years": "31"}).status_code == 422
    assert admin.post(address, data={"retention_years": "-1"}).status_code == 422
    assert admin.post(address, data={"retention_years": "3"}).status_code == 303
    with app.app_context():
        kommun = db.session.execute(select(Kommun)).scalar_one()
        assert kommun.retention_years == 3 and retention.years(kommun) == 3
    assert "3 år utan aktivitet" in admin.get(address_for("admin.overview")).get_data(as_text=True)
    assert admin.post(address, data={"retention_years": ""}).status_code == 303
    with app.app_context():
        assert db.session.execute(select(Kommun.retention_years)).scalar_one() is None
    assert login("lead_a").post(address, data={"retention_years": "1"}).status_code == 403


def test_what_is_sent_keeps_the_time_it_was_sent_with(app, world, login, adult):
    with app.app_context():
        youth = _youth(adult)
        handoff = factories.send_handoff(db.session.get(User, world.worker_a), youth)
        db.session.commit()
        due, handoff_id = handoff.first_contact_due_at, handoff.id
    login("admin").post(
        address_for("admin.team_detail", team_id=world.vpc),
        data={**UNIT, "first_contact_hours": "72"},
    )
    with app.app_context():
        assert db.session.get(Handoff, handoff_id).first_contact_due_at == due
