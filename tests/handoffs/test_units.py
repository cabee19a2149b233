"""A handoff goes to the receiving unit the sender chooses, of the own kommun only: the unit's
consent category or a recorded basis must cover it, only its members see it, its clock is its
own and warns its lead."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.auth.models import Role
from outreach.extensions import db
from outreach.handoffs import first_contact
from outreach.handoffs.models import Handoff
from outreach.notifications.models import Notification
from outreach.org.models import Team, TeamKind
from tests.addresses import address_for
from tests.factories import make_kommun, make_team, make_user
from tests.handoffs.forms import send_handoff_form


@pytest.fixture
def units(app, world):
    """Kommun 1's avhopparteam (its own times: 48 h, 12 h urgent) with a caseworker and a lead,
    and another kommun with a VPC of its own; the units' ids."""
    with app.app_context():
        exit_team = make_team("Avhopparverksamheten", TeamKind.EXIT)
        exit_team.first_contact_hours, exit_team.urgent_first_contact_hours = 48, 12
        make_user("avhopp", Role.CASEWORKER, [exit_team])
        make_user("avhopp_lead", Role.TEAM_LEAD, [exit_team])
        make_user("vpc_lead", Role.TEAM_LEAD, [db.session.get(Team, world.vpc)])
        other = make_kommun("Grannkommun", "0002")
        other_vpc = make_team("Våldspreventivt centrum", TeamKind.VPC, kommun=other)
        make_user("vpc_other", Role.CASEWORKER, [other_vpc])
        db.session.commit()
        return {"exit": exit_team.id, "vpc": world.vpc, "other_vpc": other_vpc.id}


def _consent(client, youth, recipients):
    response = client.post(
        address_for("consent.new_consent", public_id=youth),
        data={
            "given_by": "youth",
            "recipients": recipients,
            "purpose": "Stöd.",
            "given_as": "oral",
        },
    )
    assert response.status_code == 303


def _handoff(app) -> Handoff:
    with app.app_context():
        handoff = db.session.execute(select(Handoff)).scalar_one()
        db.session.expunge(handoff)
        return handoff


def test_the_form_offers_the_own_kommun_s_units_with_vpc_chosen(login, adult, units):
    page = login("falt_a").get(address_for("handoffs.new_handoff", public_id=adult))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    offered = {
        int(value): bool(checked)
        for checked, value in re.findall(
            r'<input (checked )?id="to_unit-\d+"[^>]*value="(\d+)"', html
        )
    }
    assert offered == {units["vpc"]: True, units["exit"]: False}
    assert "Avhopparverksamheten tar första kontakt inom 48 timmar" in html


def test_a_unit_of_another_kommun_is_not_found(app, login, adult_with_consent, units):
    forged = send_handoff_form(login("falt_a"), adult_with_consent, to_unit=str(units["other_vpc"]))
    assert forged.status_code == 404
    with app.app_context():
        assert db.session.execute(select(Handoff)).first() is None


def test_consent_must_cover_the_chosen_unit(app, login, adult, units):
    client = login("falt_a")
    _consent(client, adult, ["vpc"])
    refused = send_handoff_form(client, adult, to_unit=str(units["exit"]))
    assert refused.status_code == 422
    assert "Avhopparverksamheten" in refused.get_data(as_text=True)
    _consent(client, adult, ["exit"])
    assert send_handoff_form(client, adult, to_unit=str(units["exit"])).status_code == 303
    handoff = _handoff(app)
    assert handoff.to_unit_id == units["exit"]
    assert handoff.first_contact_due_at - handoff.sent_at == timedelta(hours=48)


def test_only_the_chosen_unit_sees_it_and_its_lead_gets_the_clock(
    app, login, signed_in, adult, units
):
    sender = login("falt_a")
    sent = send_handoff_form(
        sender,
        adult,
        to_unit=str(units["exit"]),
        basis="osl_10_2",
        secrecy_assessed_by="Eva Chef",
        urgency="urgent",
    )
    assert sent.status_code == 303
    handoff = _handoff(app)
    assert handoff.first_contact_due_at - handoff.sent_at == timedelta(hours=12)
    detail = address_for("handoffs.detail", public_id=handoff.public_id)
    assert signed_in("avhopp").get(detail).status_code == 200
    assert handoff.shared_alias in signed_in("avhopp").get(address_for("handoffs.inbox")).get_data(
        as_text=True
    )
    for outsider in ("vpc", "vpc_lead", "vpc_other"):
        assert signed_in(outsider).get(detail).status_code == 404
        inbox = signed_in(outsider).get(address_for("handoffs.inbox")).get_data(as_text=True)
        assert handoff.shared_alias not in inbox
    acknowledge = address_for("handoffs.take_step", public_id=handoff.public_id, step="acknowledge")
    assert signed_in("vpc").post(acknowledge).status_code == 404
    with app.app_context():
        result = first_contact.tick("http://x", moment=handoff.sent_at + timedelta(hours=13))
        assert (result.warned, result.breached) == (1, 1)
        told = db.session.execute(
            select(Notification.kind, Notification.user_id).order_by(Notification.id)
        ).all()
        db.session.commit()
    users = _ids(app, "avhopp", "avhopp_lead", "vpc", "vpc_lead", "vpc_other")
    assert {(kind, user) for kind, user in told} == {
        ("new_handoff", users["avhopp"]),
        ("new_handoff", users["avhopp_lead"]),
        ("warning", users["avhopp_lead"]),
        ("overdue", users["avhopp_lead"]),
    }
    assert signed_in("avhopp").post(acknowledge).status_code == 303


def _ids(app, *usernames) -> dict[str, int]:
    from outreach.auth.models import User

    with app.app_context():
        return dict(
            db.session.execute(
                select(User.username, User.id).where(User.username.in_(usernames))
            ).all()
        )
