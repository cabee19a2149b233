"""The same handoff sent several times at once (four tablets, a double tap): one handoff is
made, every other answer is a plain refusal, never a server error."""

import threading

import pytest
from sqlalchemy import func, select

from outreach.auth.models import User
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.org.models import Team
from tests.addresses import address_for
from tests.factories import make_youth, personnummer_for, years_ago
from tests.handoffs.forms import send_handoff_form


@pytest.fixture
def youth(adult_with_consent):
    """A 19-year-old team A youth whose consent covers VPC (conftest.adult_with_consent)."""
    return adult_with_consent


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
        [
            lambda c=c, i=i: send_handoff_form(c, youth, f"token-{i}").status_code
            for i, c in enumerate(clients)
        ]
    )
    assert statuses.count(303) == 1 and all(s in (303, 409, 422) for s in statuses), statuses
    assert _count(app) == 1
    assert login("falt_a").get(address_for("casefile.youth", public_id=youth)).status_code == 200


def test_the_same_form_sent_at_once_makes_one_handoff(app, login, youth):
    clients = [login("falt_a") for _ in range(4)]
    statuses = _parallel(
        [lambda c=c: send_handoff_form(c, youth, "same").status_code for c in clients]
    )
    assert 500 not in statuses and _count(app) == 1


def test_a_token_of_another_youth_is_refused(app, world, login, youth):
    client = login("falt_a")
    assert send_handoff_form(client, youth, "mine").status_code == 303
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
        send_handoff_form(
            client, other_id, "mine", basis="osl_10_2", secrecy_assessed_by="Chef"
        ).status_code
        == 422
    )
