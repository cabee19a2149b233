"""What the notification tests share: a real SMTP server on localhost that can be taken down,
slowed or made to refuse, and a handoff whose events send mail."""

import pytest
from sqlalchemy import select

from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Team
from tests.addresses import address_for
from tests.factories import make_user
from tests.servers import Inbox, free_port

BASE = "http://outreach.test"


@pytest.fixture
def smtp(app):
    """A real SMTP server on localhost; the app's mail goes there during the test."""
    inbox = Inbox()
    port = free_port()
    saved = app.config["SMTP_HOST"], app.config["SMTP_PORT"], app.config["SMTP_TIMEOUT"]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT=5)
    inbox.start(port)
    yield inbox
    inbox.stop()
    app.config["SMTP_HOST"], app.config["SMTP_PORT"], app.config["SMTP_TIMEOUT"] = saved


@pytest.fixture
def handoff(app, world, login, adult_with_consent):
    """A handoff from falt_a (with email), VPC staff with email; the handoff's public id."""
    with app.app_context():
        vpc = db.session.get(Team, world.vpc)
        db.session.get(User, world.caseworker).email = "handlaggare@vpc.test"
        db.session.get(User, world.worker_a).email = "falt@outreach.test"
        make_user("vpc_lead", Role.TEAM_LEAD, [vpc]).email = "chef@vpc.test"
        db.session.commit()
    client = login("falt_a")
    response = client.post(
        address_for("handoffs.new_handoff", public_id=adult_with_consent),
        data={
            "reason": "Rekryteras.",
            "summary": "Behöver stöd.",
            "urgency": "normal",
            "basis": "consent",
            "shared_fields": ["name"],
        },
    )
    assert response.status_code == 303
    with app.app_context():
        return db.session.execute(select(Handoff.public_id)).scalar_one()
