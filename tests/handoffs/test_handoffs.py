"""Överlämning to VPC: refused without a legal basis, only ticked fields travel, the clock is
set, the inbox orders by urgency, every step is recorded, illegal steps and races are refused."""

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.auth.models import Role, User
from outreach.clock import now
from outreach.extensions import db
from outreach.handoffs import services as handoff_services
from outreach.handoffs.models import Handoff, HandoffEvent
from outreach.org.models import Team
from outreach.vocabulary import HandoffBasis, HandoffStatus, Urgency
from tests.addresses import address_for
from tests.factories import make_user, make_youth
from tests.handoffs.forms import send_handoff_form


@pytest.fixture
def youth(adult):
    """The youth handed over: a 19-year-old of team A, no consent yet (conftest.adult)."""
    return adult


def _consent_to_vpc(client, youth):
    response = client.post(
        address_for("consent.new_consent", public_id=youth),
        data={
            "given_by": "youth",
            "recipients": ["vpc"],
            "purpose": "Överlämning.",
            "given_as": "oral",
        },
    )
    assert response.status_code == 303


def _handoffs(app) -> list[Handoff]:
    with app.app_context():
        found = db.session.execute(select(Handoff).order_by(Handoff.id)).scalars().all()
        for handoff in found:
            _ = handoff.events
            db.session.expunge(handoff)
        return found


def test_refused_without_consent_or_a_recorded_exception(app, login, youth):
    client = login("falt_a")
    refused = send_handoff_form(client, youth)
    assert refused.status_code == 422 and "samtycke" in refused.get_data(as_text=True).lower()
    assert send_handoff_form(client, youth, basis="osl_10_2").status_code == 422  # who assessed?
    assert _handoffs(app) == []
    sent = send_handoff_form(client, youth, basis="osl_10_2", secrecy_assessed_by="Eva Chef")
    assert sent.status_code == 303
    (handoff,) = _handoffs(app)
    assert handoff.secrecy_assessed_by == "Eva Chef"


def test_sent_with_consent_sets_the_clock_and_shares_only_ticked_fields(app, login, youth):
    client = login("falt_a")
    _consent_to_vpc(client, youth)
    assert send_handoff_form(client, youth, shared_fields=["name", "school"]).status_code == 303
    (handoff,) = _handoffs(app)
    assert handoff.status == HandoffStatus.SENT
    assert handoff.first_contact_due_at - handoff.sent_at == timedelta(hours=24)
    page = (
        login("vpc")
        .get(address_for("handoffs.detail", public_id=handoff.public_id))
        .get_data(as_text=True)
    )
    assert "Ali Östlin" in page and "Malmö Latin" in page
    assert re.search(r"\d{8}-\d{4}", page) is None  # the personnummer was not ticked
    assert "Rekryteras av äldre." in page


def test_urgent_handoffs_have_a_shorter_clock_and_come_first(app, world, login, youth):
    client = login("falt_a")
    _consent_to_vpc(client, youth)
    send_handoff_form(client, youth, token="a")
    with app.app_context():
        other = make_youth(
            db.session.get(User, world.worker_a),
            db.session.get(Team, world.team_a),
            "Tjej vid torget",
        )
        db.session.commit()
        other_id = other.public_id
    assert (
        send_handoff_form(
            client,
            other_id,
            token="b",
            urgency="urgent",
            basis="osl_10_18b",
            secrecy_assessed_by="Eva Chef",
        ).status_code
        == 303
    )
    normal, urgent = _handoffs(app)
    assert urgent.first_contact_due_at - urgent.sent_at == timedelta(hours=4)
    inbox = login("vpc").get(address_for("handoffs.inbox")).get_data(as_text=True)
    assert inbox.index(urgent.public_id) < inbox.index(normal.public_id)
    assert "kvar till första kontakt" in inbox


def test_a_resent_form_makes_one_handoff(app, login, youth):
    client = login("falt_a")
    _consent_to_vpc(client, youth)
    first = send_handoff_form(client, youth, token="same")
    again = send_handoff_form(client, youth, token="same")
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert len(_handoffs(app)) == 1
    assert (
        send_handoff_form(client, youth, token="other").status_code == 422
    )  # one open handoff a youth


def test_the_whole_way_with_every_step_recorded(app, login, youth):
    sender = login("falt_a")
    _consent_to_vpc(sender, youth)
    send_handoff_form(sender, youth)
    (handoff,) = _handoffs(app)
    url = address_for("handoffs.detail", public_id=handoff.public_id)
    vpc = login("vpc")
    assert vpc.post(f"{url}/accept").status_code == 409  # out of order
    assert vpc.post(f"{url}/acknowledge").status_code == 303
    assert vpc.post(f"{url}/first_contact", data={"note": ""}).status_code == 422
    assert (
        vpc.post(f"{url}/first_contact", data={"note": "Träffades på fritidsgården."}).status_code
        == 303
    )
    assert vpc.post(f"{url}/accept").status_code == 303
    assert sender.post(f"{url}/withdraw").status_code == 409  # too late after acceptance
    assert vpc.post(f"{url}/close").status_code == 303
    (handoff,) = _handoffs(app)
    assert handoff.status == HandoffStatus.CLOSED
    assert handoff.first_contact_how == "Träffades på fritidsgården."
    assert [e.status.value for e in handoff.events] == [
        "sent",
        "acknowledged",
        "first_contact",
        "accepted",
        "closed",
    ]
    page = sender.get(address_for("casefile.youth", public_id=youth)).get_data(as_text=True)
    assert "Avslutad" in page


def test_decline_needs_a_reason_and_the_sender_may_withdraw_before(app, login, youth):
    sender = login("falt_a")
    _consent_to_vpc(sender, youth)
    send_handoff_form(sender, youth)
    (handoff,) = _handoffs(app)
    url = address_for("handoffs.detail", public_id=handoff.public_id)
    vpc = login("vpc")
    vpc.post(f"{url}/acknowledge")
    assert vpc.post(f"{url}/decline", data={"note": " "}).status_code == 422
    assert vpc.post(f"{url}/withdraw").status_code == 403  # VPC does not withdraw
    assert login("falt_a2").post(f"{url}/withdraw").status_code == 403  # not the sender
    assert sender.post(f"{url}/acknowledge").status_code == 403  # the sender does not act for VPC
    assert sender.post(f"{url}/withdraw").status_code == 303
    (handoff,) = _handoffs(app)
    assert handoff.status == HandoffStatus.WITHDRAWN


def test_two_caseworkers_at_the_same_moment_exactly_one_wins(app, world, login, youth):
    sender = login("falt_a")
    _consent_to_vpc(sender, youth)
    send_handoff_form(sender, youth)
    (handoff,) = _handoffs(app)
    with app.app_context():
        make_user("vpc2", Role.CASEWORKER, [db.session.get(Team, world.vpc)])
        db.session.commit()
    clients = [login("vpc"), login("vpc2")]
    barrier = threading.Barrier(2)
    statuses = []

    def act(client):
        barrier.wait()
        statuses.append(
            client.post(
                address_for("handoffs.take_step", public_id=handoff.public_id, step="acknowledge")
            ).status_code
        )

    threads = [threading.Thread(target=act, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [303, 409]
    with app.app_context():
        acknowledged = db.session.execute(
            select(func.count())
            .select_from(HandoffEvent)
            .where(HandoffEvent.status == HandoffStatus.ACKNOWLEDGED)
        ).scalar_one()
    assert acknowledged == 1


def test_caseworkers_see_the_handoff_not_the_youth(app, login, youth):
    client = login("falt_a")
    _consent_to_vpc(client, youth)
    send_handoff_form(client, youth)
    (handoff,) = _handoffs(app)
    vpc = login("vpc")
    assert vpc.get(address_for("casefile.youth", public_id=youth)).status_code == 404
    assert vpc.get(address_for("handoffs.detail", public_id=handoff.public_id)).status_code == 200
    assert vpc.get(address_for("home.start")).headers["Location"] == "/vpc"
    other_team = login("falt_b")
    assert (
        other_team.get(address_for("handoffs.detail", public_id=handoff.public_id)).status_code
        == 404
    )
    assert (
        other_team.post(
            address_for("handoffs.take_step", public_id=handoff.public_id, step="withdraw")
        ).status_code
        == 404
    )
    assert login("falt_a").get(address_for("handoffs.inbox")).status_code == 403
    assert (
        login("admin").get(address_for("handoffs.detail", public_id=handoff.public_id)).status_code
        == 404
    )


def test_a_withdrawn_consent_blocks_new_handoffs(app, login, youth):
    client = login("falt_a")
    _consent_to_vpc(client, youth)
    page = client.get(address_for("casefile.youth", public_id=youth)).get_data(as_text=True)
    consent_url = re.search(r'href="(/samtycken/[^/"]+/aterkalla)"', page).group(1)
    assert client.post(consent_url, data={"reason": "Ångrade sig."}).status_code == 303
    assert send_handoff_form(client, youth).status_code == 422
    assert _handoffs(app) == []


@pytest.mark.parametrize(
    "data",
    [
        {"reason": ""},
        {"summary": "  "},
        {"urgency": "yesterday"},
        {"basis": "because"},
        {"shared_fields": ["password_hash"]},
        {"once": "kort"},
        {"summary": "x" * 2001},
    ],
)
def test_bad_handoffs_are_refused_and_nothing_saved(app, login, youth, data):
    client = login("falt_a")
    _consent_to_vpc(client, youth)
    assert send_handoff_form(client, youth, **data).status_code == 422
    assert _handoffs(app) == []


def test_the_inbox_shows_the_waiting_then_pages_through_those_in_progress(app, world, login, youth):
    """Every handoff waiting for first contact is on the first page; the accepted ones (VPC
    works on them for months) come newest first, a page at a time."""
    _consent_to_vpc(login("falt_a"), youth)
    assert send_handoff_form(login("falt_a"), youth, token="waiting").status_code == 303
    with app.app_context():
        youth_id = db.session.execute(select(Handoff.youth_id)).scalar_one()
        sent = now() - timedelta(days=10)
        for number in range(handoff_services.INBOX_PAGE + 2):
            db.session.add(
                Handoff(
                    youth_id=youth_id,
                    from_team_id=world.team_a,
                    to_unit_id=world.vpc,
                    sender_id=world.worker_a,
                    reason="Rekryteras.",
                    summary="Vill ha hjälp.",
                    urgency=Urgency.NORMAL,
                    basis=HandoffBasis.OSL_10_2,
                    secrecy_assessed_by="Eva Chef",
                    shared_data='{"alias": "Kille i keps"}',
                    status=HandoffStatus.ACCEPTED,
                    sent_at=sent - timedelta(hours=number),
                    first_contact_due_at=sent - timedelta(hours=number - 24),
                )
            )
        db.session.commit()
        newest_first = (
            db.session.execute(
                select(Handoff.public_id)
                .where(Handoff.status == HandoffStatus.ACCEPTED)
                .order_by(Handoff.sent_at.desc())
            )
            .scalars()
            .all()
        )
        waiting = db.session.execute(
            select(Handoff.public_id).where(Handoff.status == HandoffStatus.SENT)
        ).scalar_one()
    vpc = login("vpc")
    first = vpc.get(address_for("handoffs.inbox")).get_data(as_text=True)
    assert "Väntar på första kontakt" in first and waiting in first
    shown = [public_id for public_id in newest_first if public_id in first]
    assert shown == newest_first[: handoff_services.INBOX_PAGE]
    after = re.search(r'href="/vpc\?after=([^"]+)"', first).group(1)
    second = vpc.get(address_for("handoffs.inbox", after=after)).get_data(as_text=True)
    assert [p for p in newest_first if p in second] == newest_first[handoff_services.INBOX_PAGE :]
    assert waiting not in second and "Tillbaka till de senaste" in second
    damaged = vpc.get(address_for("handoffs.inbox", after="inte-en-sida"))
    assert damaged.status_code == 400 and "Sidans adress är skadad" in damaged.get_data(
        as_text=True
    )
