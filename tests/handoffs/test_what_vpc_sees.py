"""What VPC sees of a handoff, and who else does: a protected youth's handoff is hidden like
the youth, a withdrawn consent stops what VPC sees at once, every read is in the access log,
and only the fields on the list travel."""

import pytest
from sqlalchemy import select

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Team
from outreach.vocabulary import HandoffStatus
from tests.addresses import address_for
from tests.factories import make_youth
from tests.handoffs.forms import send_handoff_form


@pytest.fixture
def youth(adult_with_consent):
    """A 19-year-old team A youth whose consent covers VPC (conftest.adult_with_consent)."""
    return adult_with_consent


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
    send_handoff_form(login("falt_a"), hidden_id, "p", basis="osl_10_2", secrecy_assessed_by="Chef")
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
    send_handoff_form(client, youth, "c")
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
    send_handoff_form(login("falt_a"), youth, "r")
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


def test_unknown_checkbox_choices_get_a_plain_message(app, login, youth):
    response = send_handoff_form(login("falt_a"), youth, "u", shared_fields=["password_hash"])
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Välj bland alternativen" in body and "'-1'" not in body
