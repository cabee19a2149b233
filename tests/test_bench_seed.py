"""The benchmarks' data generator: the tiny scale on the test database, as the app sees it."""

from sqlalchemy import func, select

from bench.cli import seed
from bench.seed import PASSWORD
from outreach.auth.models import Role, User
from outreach.extensions import db
from outreach.shifts.models import AnonymousContact, Shift, shift_worker


def test_the_tiny_scale_is_seeded_once_and_works_in_the_app(app, runner, login):
    result = runner.invoke(seed, ["--scale", "tiny"])
    assert result.exit_code == 0, result.output
    assert "seeded the tiny scale" in result.output
    with app.app_context():
        assert db.session.execute(select(func.count(AnonymousContact.id))).scalar_one() == 300
        out_now = select(shift_worker.c.user_id).join(Shift).where(Shift.ended_at.is_(None))
        worker = db.session.execute(
            select(User)
            .where(User.role == Role.FIELD_WORKER, User.id.not_in(out_now))
            .order_by(User.id)
            .limit(1)
        ).scalar_one()
        shifts = db.session.execute(select(func.count(Shift.id))).scalar_one()
        username, team = worker.username, worker.teams[0].id

    again = runner.invoke(seed, ["--scale", "tiny"])
    assert again.exit_code != 0 and "already holds users" in again.output

    client = login(username, PASSWORD)
    assert client.get("/").status_code == 200
    assert client.get("/faltpass").status_code == 200
    with app.app_context():
        area = db.session.execute(select(Shift.area_id).where(Shift.team_id == team)).scalar()
    # new rows get ids after the generated ones
    started = client.post("/faltpass/nytt", data={"team": team, "area": area})
    assert started.status_code == 303, started.get_data(as_text=True)[:500]
    with app.app_context():
        assert db.session.execute(select(func.count(Shift.id))).scalar_one() == shifts + 1
