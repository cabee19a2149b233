"""The child and the report of concern the tests of reports share."""

import pytest

from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Team
from tests.factories import make_youth, personnummer_for, years_ago

REPORT = {
    "kinds": ["crime"],
    "concern": "Springer ärenden åt äldre killar, sågs med en väska vid stationen.",
    "child_said": "Sa att han får betalt.",
    "reporter_saw": "Nya dyra kläder.",
    "relation": "Fältarbetare som träffar honom på fritidsgården.",
}


@pytest.fixture
def child(app, world):
    """A 14-year-old in team A with a guardian; public id."""
    with app.app_context():
        youth = make_youth(
            db.session.get(User, world.worker_a),
            db.session.get(Team, world.team_a),
            "Kille 14",
            name="Omar Said",
            personnummer=personnummer_for(years_ago(14, 30)),
            guardians=[("Leila Said", "070-111")],
            interpreter_language="arabiska",
        )
        db.session.commit()
        return youth.public_id
