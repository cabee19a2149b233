"""What the notification tests share: a real SMTP server on localhost that can be taken down,
slowed or made to refuse, and a handoff whose events send mail."""

import asyncio
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Team
from tests.factories import make_user, make_youth, personnummer_for, years_ago

BASE = "http://outreach.test"


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []
        self.controller = None
        self.port = None
        #: the answer to each recipient: "250 OK", or a refusal ("451 …" later, "550 …" never)
        self.recipient_reply = "250 OK"
        #: seconds the server waits before greeting a client back (a slow server)
        self.delay = 0.0

    def start(self, port: int | None = None) -> None:
        """(Re)start the server on its port."""
        self.port = port or self.port
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        """Take the server down (an outage)."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        await asyncio.sleep(self.delay)
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if not self.recipient_reply.startswith("250"):
            return self.recipient_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A real SMTP server on localhost; the app's mail goes there during the test."""
    inbox = Inbox()
    port = _free_port()
    saved = app.config["SMTP_HOST"], app.config["SMTP_PORT"], app.config["SMTP_TIMEOUT"]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT=5)
    inbox.start(port)
    yield inbox
    inbox.stop()
    app.config["SMTP_HOST"], app.config["SMTP_PORT"], app.config["SMTP_TIMEOUT"] = saved


@pytest.fixture
def handoff(app, world, login):
    """A handoff from falt_a (with email), VPC staff with email; the handoff's public id."""
    with app.app_context():
        vpc = db.session.get(Team, world.vpc)
        db.session.get(User, world.caseworker).email = "handlaggare@vpc.test"
        db.session.get(User, world.worker_a).email = "falt@outreach.test"
        make_user("vpc_lead", Role.TEAM_LEAD, [vpc]).email = "chef@vpc.test"
        worker = db.session.get(User, world.worker_a)
        youth = make_youth(
            worker,
            db.session.get(Team, world.team_a),
            "Kille i keps",
            name="Ali Östlin",
            personnummer=personnummer_for(years_ago(19, 5)),
        )
        db.session.commit()
        youth_id = youth.public_id
    client = login("falt_a")
    client.post(
        f"/ungdomar/{youth_id}/samtycke",
        data={"given_by": "youth", "recipients": ["vpc"], "purpose": "VPC.", "given_as": "oral"},
    )
    response = client.post(
        f"/ungdomar/{youth_id}/overlamning",
        data={
            "token": "t1",
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
