"""Handoffs under pressure: simultaneous submits, protected identity, consent withdrawn while
a handoff is open, reads in the access log, and a clock that leaves handled handoffs alone."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.extensions import db
from outreach.handoffs import first_contact
from outreach.handoffs.models import Handoff
from outreach.org.models import Team
from outreach.vocabulary import HandoffStatus
from tests.addresses import address_for
from tests.factories import make_youth, personnummer_for, years_ago


@pytest.fixture
def youth(app, world, login):
    """A 19-year-old team A youth whose consent covers VPC; its public id."""
    with app.app_context():
        youth = make_youth(
            db.session.get(User, world.worker_a),
            db.session.get(Team, world.team_a),
            "Kille i keps",
            name="Ali Östlin",
            personnummer=personnummer_for(years_ago(19, 10)),
        )
        db.session.commit()
        public_id = youth.public_id
    login("falt_a").post(
        address_for("consent.new_consent", public_id=public_id),
        data={"given_by": "youth", "recipients": ["vpc"], "purpose": "VPC.", "given_as": "oral"},
    )
    return public_id


def _send(client, youth, token, **data):
    data = {
        "once": f"{token}-0123456789abcdef" if token else "",
        "reason": "R.",
        "summary": "S.",
        "urgency": "normal",
        "basis": "consent",
        "shared_fields": ["name"],
        **data,
    }
    return client.post(address_for("handoffs.new_handoff", public_id=youth), data=data)


def _parallel(calls) -> list[int]:
    barrier = threading.Barrier(len(calls))
    statuses = []

    def run(call):
        barrier.wait()
        statuses.append(call())

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Handoff.id))).scalar_one()


def test_simultaneous_handoff_forms_make_one_handoff_and_no_500(app, login, youth):
    clients = [login("falt_a") for _ in range(4)]
    statuses = _parallel(
        [lambda c=c, i=i: _send(c, youth, f"token-{i}").status_code for i, c in enumerate(clients)]
    )
    assert statuses.count(303) == 1 and all(s in (303, 409, 422) for s in statuses), statuses
    assert _count(app) == 1
    assert login("falt_a").get(address_for("casefile.youth", public_id=youth)).status_code == 200


def test_the_same_form_sent_at_once_makes_one_handoff(app, login, youth):
    clients = [login("falt_a") for _ in range(4)]
    statuses = _parallel([lambda c=c: _send(c, youth, "same").status_code for c in clients])
    assert 500 not in statuses and _count(app) == 1


def test_a_token_of_another_youth_is_refused(app, world, login, youth):
    client = login("falt_a")
    assert _send(client, youth, "mine").status_code == 303
    with app.app_context():
        other = make_youth(
            db.session.get(User, world.worker_a),
            db.session.get(Team, world.team_a),
            "Annan",
            personnummer=personnummer_for(years_ago(19, 40)),
        )
        db.session.commit()
        other_id = other.public_id
    assert (
        _send(client, other_id, "mine", basis="osl_10_2", secrecy_assessed_by="Chef").status_code
        == 422
    )


def test_a_protected_youths_handoff_is_hidden_like_the_youth(app, world, login):
    with app.app_context():
        hidden = make_youth(
            db.session.get(User, world.worker_a),
            db.session.get(Team, world.team_a),
            "Skyddad",
            name="Sara Skyddad",
            protected_identity=True,
        )
        db.session.commit()
        hidden_id = hidden.public_id
    _send(login("falt_a"), hidden_id, "p", basis="osl_10_2", secrecy_assessed_by="Chef")
    with app.app_context():
        handoff_id = db.session.execute(select(Handoff.public_id)).scalar_one()
    assert (
        login("falt_a2").get(address_for("handoffs.detail", public_id=handoff_id)).status_code
        == 404
    )
    assert (
        login("lead_a").get(address_for("handoffs.detail", public_id=handoff_id)).status_code == 200
    )


def test_withdrawing_the_consent_stops_the_handoff_and_what_vpc_sees(app, login, youth):
    client = login("falt_a")
    _send(client, youth, "c")
    with app.app_context():
        handoff_id = db.session.execute(select(Handoff.public_id)).scalar_one()
    vpc = login("vpc")
    assert "Ali Östlin" in vpc.get(address_for("handoffs.detail", public_id=handoff_id)).get_data(
        as_text=True
    )
    page = client.get(address_for("casefile.youth", public_id=youth)).get_data(as_text=True)
    consent_url = page.split('href="/samtycken/')[1].split('"')[0]
    assert (
        client.post(f"/samtycken/{consent_url}", data={"reason": "Ångrade sig."}).status_code == 303
    )
    with app.app_context():
        assert db.session.execute(select(Handoff.status)).scalar_one() == HandoffStatus.WITHDRAWN
    page = vpc.get(address_for("handoffs.detail", public_id=handoff_id)).get_data(as_text=True)
    assert "Ali Östlin" not in page and "visas inte längre" in page
    assert (
        vpc.post(
            address_for("handoffs.take_step", public_id=handoff_id, step="acknowledge")
        ).status_code
        == 409
    )
    notices = vpc.get(address_for("notifications.index")).get_data(as_text=True)
    assert "samtycke återkallades" in notices.lower()


def test_reads_of_handoffs_and_reports_are_in_the_access_log(app, world, login, youth):
    _send(login("falt_a"), youth, "r")
    with app.app_context():
        handoff_id = db.session.execute(select(Handoff.public_id)).scalar_one()
    login("vpc").get(address_for("handoffs.detail", public_id=handoff_id))
    with app.app_context():
        reads = (
            db.session.execute(
                select(AuditEvent.entity_type).where(
                    AuditEvent.action == AuditAction.READ, AuditEvent.user_id == world.caseworker
                )
            )
            .scalars()
            .all()
        )
    assert reads == ["handoff"]


def test_the_clock_leaves_declined_and_closed_handoffs_alone(app, login, youth):
    _send(login("falt_a"), youth, "d")
    with app.app_context():
        handoff_id = db.session.execute(select(Handoff.public_id)).scalar_one()
    vpc = login("vpc")
    vpc.post(address_for("handoffs.take_step", public_id=handoff_id, step="acknowledge"))
    vpc.post(
        address_for("handoffs.take_step", public_id=handoff_id, step="decline"),
        data={"note": "Fel målgrupp."},
    )
    vpc.post(address_for("handoffs.take_step", public_id=handoff_id, step="close"))
    with app.app_context():
        sent_at = db.session.execute(select(Handoff.sent_at)).scalar_one()
        result = first_contact.tick("http://x", sent_at + timedelta(hours=30))
        db.session.commit()
    assert (result.warned, result.breached) == (0, 0)


def test_the_inbox_counts_missed_deadlines(app, login, youth):
    _send(login("falt_a"), youth, "b")
    with app.app_context():
        sent_at = db.session.execute(select(Handoff.sent_at)).scalar_one()
        first_contact.tick("http://x", sent_at + timedelta(hours=25))
        db.session.commit()
    inbox = login("vpc").get(address_for("handoffs.inbox")).get_data(as_text=True)
    assert "1 missad tidsfrist" in inbox


def test_unknown_checkbox_choices_get_a_plain_message(app, login, youth):
    response = _send(login("falt_a"), youth, "u", shared_fields=["password_hash"])
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Välj bland alternativen" in body and "'-1'" not in body
