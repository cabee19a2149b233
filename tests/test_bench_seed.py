"""The benchmarks' data generator: the tiny scale on the test database, as the app sees it."""

from sqlalchemy import func, select

from bench.cli import seed
from bench.seed import PASSWORD, SCALES
from outreach import audit_verify
from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.handoffs.models import Handoff
from outreach.risk.models import RiskMarking
from outreach.shifts.models import AnonymousContact, Shift, shift_worker
from outreach.youths import tallies
from outreach.youths.models import IdentifiedContact, Youth, identified_contact_youth
from outreach.youths.tallies import ContactTally
from tests.addresses import address_for

TINY = SCALES["tiny"]


def _count(column) -> int:
    return db.session.execute(select(func.count(column))).scalar_one()


def test_the_tiny_scale_is_seeded_once_and_works_in_the_app(app, runner, login):
    result = runner.invoke(seed, ["--scale", "tiny"])
    assert result.exit_code == 0, result.output
    assert "seeded the tiny scale" in result.output
    with app.app_context():
        assert _count(AnonymousContact.id) == TINY.anonymous_contacts
        assert _count(Youth.id) == TINY.youths
        assert _count(IdentifiedContact.id) >= TINY.identified_contacts
        assert _count(RiskMarking.id) == TINY.risk_markings
        assert _count(Handoff.id) == TINY.handoffs
        chain = audit_verify.verify()
        assert chain.intact and chain.rows == TINY.audit_rows, chain.problem
        assert _count(ContactTally.n) and tallies.mismatches() == []
        # the personnummer is encrypted as the app encrypts it, and read back
        youth = db.session.execute(
            select(Youth).where(Youth.personnummer.is_not(None)).limit(1)
        ).scalar_one()
        assert len(youth.personnummer) == 12
        out_now = (
            select(shift_worker.c.user_id)
            .join(Shift, Shift.id == shift_worker.c.shift_id)
            .where(Shift.ended_at.is_(None))
        )
        worker = db.session.execute(
            select(User)
            .where(User.role == Role.FIELD_WORKER, User.id.not_in(out_now))
            .order_by(User.id)
            .limit(1)
        ).scalar_one()
        shifts = _count(Shift.id)
        username, team = worker.username, worker.teams[0].id
        # the youth of the worker's team with the most contacts: the long timeline
        regular = db.session.execute(
            select(Youth.public_id)
            .join(identified_contact_youth, identified_contact_youth.c.youth_id == Youth.id)
            .where(Youth.team_id == team)
            .group_by(Youth.id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
        caseworker = db.session.execute(
            select(User.username).where(User.role == Role.CASEWORKER).limit(1)
        ).scalar_one()

    again = runner.invoke(seed, ["--scale", "tiny"])
    assert again.exit_code != 0 and "already holds users" in again.output

    client = login(username, PASSWORD)
    assert client.get(address_for("home.start")).status_code == 200
    assert client.get(address_for("shifts.shift_list")).status_code == 200
    assert client.get(address_for("casefile.youth", public_id=regular)).status_code == 200
    with app.app_context():
        area = db.session.execute(select(Shift.area_id).where(Shift.team_id == team)).scalar()
    # new rows get ids after the generated ones, and the audit chain goes on from its head
    started = client.post(address_for("shifts.new_shift"), data={"team": team, "area": area})
    assert started.status_code == 303, started.get_data(as_text=True)[:500]
    registered = client.post(
        address_for("youths.new_youth"),
        data={"team": team, "alias": "Ny i blå jacka", "legal_basis": "consent"},
    )
    assert registered.status_code == 303, registered.get_data(as_text=True)[:500]
    assert login(caseworker, PASSWORD).get(address_for("handoffs.inbox")).status_code == 200
    with app.app_context():
        assert _count(Shift.id) == shifts + 1
        assert _count(Youth.id) == TINY.youths + 1
        assert audit_verify.verify().intact
