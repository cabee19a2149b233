"""`flask users create`."""

from sqlalchemy import select

from outreach.auth.models import Role, User
from outreach.extensions import db


def test_refuses_short_password(app, runner, world):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "kort",
            "--role",
            "admin",
            "--kommun",
            "9999",
            "--password",
            "elva-tecken",
        ]
    )
    assert result.exit_code != 0
    assert "12" in result.output
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "kort")).first() is None


def test_creates_user_in_teams(app, runner, world):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "ny_falt",
            "--role",
            "field_worker",
            "--kommun",
            "9999",
            "--name",
            "Ny Fältare",
            "--team",
            "Fältgruppen Söder",
            "--password",
            "tolv-tecken-ok",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == "ny_falt")).scalar_one()
        assert user.role == Role.FIELD_WORKER
        assert [t.name for t in user.teams] == ["Fältgruppen Söder"]
        assert user.password_hash.startswith("$argon2id$")


def test_refuses_unknown_team_and_taken_username(runner, world):
    unknown = runner.invoke(
        args=[
            "users",
            "create",
            "x_user",
            "--role",
            "admin",
            "--kommun",
            "9999",
            "--team",
            "Finns inte",
            "--password",
            "tolv-tecken-ok",
        ]
    )
    assert unknown.exit_code != 0
    taken = runner.invoke(
        args=[
            "users",
            "create",
            "FALT_A",
            "--role",
            "admin",
            "--kommun",
            "9999",
            "--password",
            "tolv-tecken-ok",
        ]
    )
    assert taken.exit_code != 0


def test_the_operator_works_for_no_kommun_and_everyone_else_for_one(app, runner, world):
    operator = ["users", "create", "drift", "--role", "operator", "--password", "tolv-tecken-ok"]
    assert runner.invoke(args=operator).exit_code == 0
    no_kommun = ["users", "create", "utan", "--role", "admin", "--password", "tolv-tecken-ok"]
    assert runner.invoke(args=no_kommun).exit_code != 0
    unknown = [*no_kommun, "--kommun", "0001"]
    assert "No kommun" in runner.invoke(args=unknown).output
    with app.app_context():
        drift = db.session.execute(select(User).where(User.username == "drift")).scalar_one()
        assert drift.role == Role.OPERATOR and drift.kommuner == []
        assert db.session.execute(select(User).where(User.username == "utan")).first() is None
