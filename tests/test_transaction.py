"""One commit per request, at one place (outreach/transaction.py): a request that writes
commits once, after its answer is made; one that only reads writes nothing, and its
transaction ends with a COMMIT of nothing (a ROLLBACK would drop psycopg's prepared
statements); a request that fails saves nothing but the access-log rows of what it showed
(DOMAIN.md rule 4)."""

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from outreach.audit import AuditAction, AuditEvent
from outreach.auth.models import User
from outreach.extensions import db
from outreach.org.models import Area, Team
from outreach.youths import contacts
from outreach.youths.models import IdentifiedContact, Youth
from tests.addresses import address_for
from tests.factories import make_shift, make_youth


@pytest.fixture
def commits(app):
    """How many COMMITs reached the database since the test began."""
    counted = {"n": 0}

    def one(_connection):
        counted["n"] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", one)
    yield counted
    event.remove(engine, "commit", one)


@pytest.fixture
def writes(app):
    """How many statements that change rows reached the database since the test began."""
    counted = {"n": 0}

    def one(_connection, _cursor, statement, *_args):
        counted["n"] += statement.lstrip().split(None, 1)[0].upper() in {
            "INSERT",
            "UPDATE",
            "DELETE",
        }

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", one)
    yield counted
    event.remove(engine, "before_cursor_execute", one)


@pytest.fixture
def setting(app, world):
    """An open shift of falt_a and a team A youth; public ids."""
    with app.app_context():
        worker = db.session.get(User, world.worker_a)
        team = db.session.get(Team, world.team_a)
        shift = make_shift(worker, team, db.session.get(Area, world.area))
        youth = make_youth(worker, team, "Ali med keps")
        db.session.commit()
        return {"shift": shift.public_id, "youth": youth.public_id, "id": youth.id}


def _events(app, **where) -> list[tuple]:
    with app.app_context():
        query = select(AuditEvent.action, AuditEvent.entity_type, AuditEvent.detail)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        return [tuple(row) for row in db.session.execute(query.order_by(AuditEvent.seq))]


def test_a_request_that_writes_commits_once_and_one_that_reads_writes_nothing(
    app, world, signed_in, commits, writes, setting
):
    client = signed_in("falt_a")
    before = commits["n"]
    created = client.post(
        address_for("youths.new_youth"), data={"alias": "Ny", "legal_basis": "consent"}
    )
    assert created.status_code == 303
    assert commits["n"] - before == 1  # the youth and its audit row, together
    before = commits["n"]
    assert client.get(address_for("casefile.youth", public_id=setting["youth"])).status_code == 200
    assert commits["n"] - before == 1  # a read of a youth writes its access-log row
    before, written = commits["n"], writes["n"]
    assert client.get(address_for("shifts.shift_list")).status_code == 200
    assert writes["n"] == written  # nothing written
    assert commits["n"] - before == 1  # and the transaction ends with a COMMIT of nothing


def test_an_app_context_that_ends_in_an_error_is_not_committed(app, world, commits):
    before = commits["n"]
    with pytest.raises(RuntimeError), app.app_context():
        assert db.session.execute(select(User.id)).first()
        raise RuntimeError("a command that failed after it read")
    assert commits["n"] == before  # rolled back, as the session's close does


def test_a_read_whose_statement_failed_ends_quietly(app, world):
    # the error is answered by whoever ran the statement; the context then ends as usual
    with app.app_context(), pytest.raises(DBAPIError):
        db.session.execute(text("SELECT * FROM no_such_table"))
    with app.app_context():  # the connection is back in the pool, usable
        assert db.session.execute(select(User.id)).first()


def test_a_refused_form_saves_nothing_but_keeps_the_reads_of_what_it_showed(
    app, world, signed_in, setting
):
    client = signed_in("falt_a")
    # the service refuses (no youth ticked) after the search listed one
    refused = client.post(
        address_for("youths.new_contact", public_id=setting["shift"]),
        data={"q": "Ali", "facts": "Pratade en stund."},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Ali med keps" in page and "Välj minst en ungdom" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(IdentifiedContact.id))) == 0
    # the search listed the youth on the page that was answered: that is in the log
    listed = _events(app, youth_id=setting["id"], user_id=world.worker_a)
    assert (AuditAction.LIST, "youth", "search") in listed
    assert not [row for row in listed if row[0] == AuditAction.CREATE and row[1] != "youth"]


def test_an_error_after_a_read_rolls_back_and_keeps_the_read(
    app, world, signed_in, setting, monkeypatch
):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the timeline could not be read")

    monkeypatch.setattr(contacts, "timeline", broken)
    client = signed_in("falt_a")
    page = client.get(address_for("casefile.youth", public_id=setting["youth"]))
    assert page.status_code == 500
    reads = _events(app, youth_id=setting["id"], user_id=world.worker_a, action=AuditAction.READ)
    assert reads == [(AuditAction.READ, "youth", "page")]


def test_a_refusal_after_a_change_undoes_the_change(app, world, signed_in, setting, monkeypatch):
    """A service that changed a row and then refused: the change is not saved, while the
    form's reads are."""
    from outreach.errors import RuleViolation
    from outreach.youths import services

    real_update = services.update

    def change_then_refuse(user, youth, details):
        real_update(user, youth, details)
        raise RuleViolation("Nej.", "alias")

    monkeypatch.setattr(services, "update", change_then_refuse)
    client = signed_in("falt_a")
    address = address_for("youths.edit_youth", public_id=setting["youth"])
    assert client.get(address).status_code == 200
    refused = client.post(address, data={"alias": "Ändrat", "legal_basis": "consent"})
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.get(Youth, setting["id"]).alias == "Ali med keps"
    changes = _events(app, youth_id=setting["id"], action=AuditAction.UPDATE)
    assert changes == []
    assert _events(app, youth_id=setting["id"], action=AuditAction.READ, detail="edit form")


def test_a_commit_that_fails_answers_with_an_error_and_keeps_the_read(
    app, world, signed_in, setting
):
    """The page was made, then its commit failed (not for want of a database): the answer is
    the error page, and the read it made is committed after all."""
    failures = {"left": 1}

    def fail_once(_session):
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("the commit failed")

    client = signed_in("falt_a")
    event.listen(Session, "before_commit", fail_once)
    try:
        page = client.get(address_for("casefile.youth", public_id=setting["youth"]))
    finally:
        event.remove(Session, "before_commit", fail_once)
    assert page.status_code == 500 and failures["left"] == 0
    reads = _events(app, youth_id=setting["id"], user_id=world.worker_a, action=AuditAction.READ)
    assert reads == [(AuditAction.READ, "youth", "page")]
