"""Set-up: migrations match the models, demo data only in demo mode and only once."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from outreach import create_app
from outreach.auth.models import User
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
    assert {role.value for role, _count in roles} == {
        "field_worker",
        "team_lead",
        "caseworker",
        "admin",
    }


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
