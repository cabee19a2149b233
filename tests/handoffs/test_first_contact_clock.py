"""The first-contact clock (handoffs/first_contact.py) on handoffs VPC has handled, and the
breaches it counts in the inbox."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.extensions import db
from outreach.handoffs import first_contact
from outreach.handoffs.models import Handoff
from tests.addresses import address_for
from tests.handoffs.forms import send_handoff_form


@pytest.fixture
def youth(adult_with_consent):
    """A 19-year-old team A youth whose consent covers VPC (conftest.adult_with_consent)."""
    return adult_with_consent


def test_the_clock_leaves_declined_and_closed_handoffs_alone(app, login, youth):
    send_handoff_form(login("falt_a"), youth, "d")
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
    send_handoff_form(login("falt_a"), youth, "b")
    with app.app_context():
        sent_at = db.session.execute(select(Handoff.sent_at)).scalar_one()
        first_contact.tick("http://x", sent_at + timedelta(hours=25))
        db.session.commit()
    inbox = login("vpc").get(address_for("handoffs.inbox")).get_data(as_text=True)
    assert "1 missad tidsfrist" in inbox
