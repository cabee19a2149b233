"""Set-up: migrations match the models, demo data only in demo mode and only once."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from outreach import create_app
from outreach.auth.models import Role, User
from outreach.extensions import db
from tests.conftest import test_config


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_demo_data_is_refused_outside_demo_mode(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "never in production" in result.output


def test_demo_data_loads_once(database_url, app):
    demo = create_app(test_config(database_url, DEMO_MODE=True))
    runner = demo.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "falt" in first.output and "demo-outreach-2026" in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "already" in second.output
    with demo.app_context():
        roles = db.session.execute(select(User.role, func.count()).group_by(User.role)).all()
    assert {role for role, _count in roles} == set(Role)  # a demo user of every role


def test_app_refuses_to_start_without_a_secret_key(database_url):
    import pytest

    config = test_config(database_url)
    config["SECRET_KEY"] = None
    with pytest.raises(RuntimeError, match="OUTREACH_SECRET_KEY"):
        create_app(config)


def test_foreign_keys_are_enforced_on_every_database(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from outreach.org.models import Place, PlaceKind

    with app.app_context():
        db.session.add(Place(area_id=999999, name="Ingenstans", kind=PlaceKind.PARK))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_sqlite_table_rebuild_keeps_the_rows_that_refer_to_it(tmp_path):
    """Migrations that rebuild a table on SQLite must not cascade into referring rows."""
    import sqlite3

    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path / 'migrate.sqlite'}"
    migrating = create_app(test_config(url))
    with migrating.app_context():
        upgrade(revision="0006")
    connection = sqlite3.connect(tmp_path / "migrate.sqlite")
    connection.executescript(
        """
        INSERT INTO team (id, name, kind) VALUES (1, 'T', 'field');
        INSERT INTO user (id, username, display_name, role, password_hash, locale, is_enabled,
            failed_logins, session_epoch, created_at) VALUES (1, 'u', 'U', 'field_worker', 'x',
            'sv', 1, 0, 0, '2026-01-01');
        INSERT INTO youth (id, public_id, team_id, alias, name, school, interpreter_language,
            protected_identity, legal_basis, search_key, created_by_id, created_at)
            VALUES (1, 'y', 1, 'A', '', '', '', 0, 'consent', 'a', 1, '2026-01-01');
        INSERT INTO handoff (id, public_id, youth_id, from_team_id, sender_id, reason, summary,
            urgency, wants_to_leave_crime, basis, secrecy_assessed_by, shared_data, status,
            sent_at, first_contact_due_at, first_contact_how, decline_reason, submission_token)
            VALUES (1, 'h', 1, 1, 1, 'r', 's', 'normal', 0, 'osl_10_2', 'x', '{}', 'sent',
            '2026-01-01', '2026-01-02', '', '', 't');
        INSERT INTO handoff_event (handoff_id, status, user_id, at, note)
            VALUES (1, 'sent', 1, '2026-01-01', '');
        """
    )
    connection.commit()
    with migrating.app_context():
        upgrade()  # 0007 rebuilds the handoff table
    assert connection.execute("SELECT count(*) FROM handoff_event").fetchone() == (1,)
    connection.close()
