"""Fixtures: the app on a migrated database (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), an empty database for every test, and logged-in clients."""

import importlib.util
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from outreach import audit, create_app
from outreach.auth.models import User
from outreach.config import normalise_database_url
from outreach.extensions import db
from outreach.org.models import Team
from outreach.youths.models import Youth
from tests import factories
from tests.addresses import address_for


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def test_config(database_url: str, **overrides) -> dict:
    """The configuration every test app shares."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "FIELD_KEY": "test-field-key-not-for-production-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "DEMO_MODE": False,
        # Most tests log in with a password alone and many times from one address; the
        # second factor and the rate limits have tests of their own that tighten them.
        "REQUIRE_2FA": False,
        "LOGIN_RATE_LIMIT": "1000 per minute",
    }
    config.update(overrides)
    return config


test_config.__test__ = False  # a helper, not a test


def _drop_everything() -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
        db.session.commit()
    else:
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_url):
    """The application on a database built by the migrations (not create_all)."""
    app = create_app(test_config(database_url))
    with app.app_context():
        _drop_everything()
        upgrade()
    return app


def _seeded_rows() -> dict[str, list[dict]]:
    """What the migrations put into tables (reference data), to restore after emptying."""
    path = Path(__file__).resolve().parent.parent / "migrations/versions/0002_risk_marking.py"
    spec = importlib.util.spec_from_file_location("migration_0002", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {
        "warning_sign": [
            {"group": group, "label": label, "is_active": True}
            for group, label in module.SEEDED_WARNING_SIGNS
        ],
        "audit_chain": [{"id": audit.HEAD_ID, "seq": 0, "last_hash": audit.GENESIS}],
    }


SEEDED = _seeded_rows()


@contextmanager
def append_only_suspended():
    """Inside: the audit trail's append-only triggers do not fire (as the database's superuser
    could arrange), for emptying tables between tests and for tampering in the audit tests.
    Commits at the end."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        yield
        db.session.commit()
        return
    triggers = db.session.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
        {"t": "audit_event"},
    ).all()
    for name, _sql in triggers:
        db.session.execute(text(f'DROP TRIGGER "{name}"'))
    try:
        yield
    finally:
        for _name, sql in triggers:
            db.session.execute(text(sql))
        db.session.commit()


def _empty_tables() -> None:
    """Back to the state the migrations leave: no rows but the seeded reference data."""
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with append_only_suspended():
        # DELETE, not TRUNCATE: on these few rows it takes a tenth of the time
        for table in tables:
            db.session.execute(table.delete())
        if db.engine.dialect.name == "postgresql":  # ids start from 1 again
            db.session.execute(
                text(
                    "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
                )
            )
        for name, rows in SEEDED.items():
            db.session.execute(db.metadata.tables[name].insert(), rows)


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Every test starts from empty tables."""
    if "app" not in request.fixturenames and "live_server" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        _empty_tables()
    yield
    with app.app_context():
        db.session.remove()


@pytest.fixture
def ctx(app):
    """An application context for service-level tests."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def world(app):
    """Teams A and B, VPC, areas and one user per role (see factories.make_world)."""
    with app.app_context():
        world = factories.make_world()
        ids = {name: value.id for name, value in vars(world).items()}
    return _Ids(ids)


@pytest.fixture
def adult(app, world):
    """A youth of 19 in team A, registered by falt_a, with a name, a personnummer and a
    school (factories.make_adult); its public id."""
    with app.app_context():
        youth = factories.make_adult(
            db.session.get(User, world.worker_a), db.session.get(Team, world.team_a)
        )
        db.session.commit()
        return youth.public_id


@pytest.fixture
def adult_with_consent(app, world, adult):
    """The same youth, whose own consent covers sharing with VPC; its public id."""
    with app.app_context():
        youth = db.session.execute(select(Youth).where(Youth.public_id == adult)).scalar_one()
        factories.give_consent(db.session.get(User, world.worker_a), youth)
        db.session.commit()
    return adult


class _Ids:
    """The world's objects by id, so tests can reload them in any context."""

    def __init__(self, ids):
        self.__dict__.update(ids)


@pytest.fixture
def openid_provider():
    """A real OpenID provider on localhost (tests/identity/oidc_provider.py)."""
    from tests.identity.oidc_provider import OpenIDProvider

    provider = OpenIDProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def saml_idp():
    """A real SAML identity provider on localhost (tests/identity/saml_idp.py)."""
    import shutil

    if shutil.which("xmlsec1") is None:
        pytest.skip("xmlsec1 is missing (make test installs it where it can)")
    from tests.identity.saml_idp import SamlIdentityProvider

    provider = SamlIdentityProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(app):
    """login(username) → a test client logged in as that user."""

    def log_in(username: str, password: str = factories.PASSWORD):
        client = app.test_client()
        response = client.post(
            address_for("auth.login"), data={"username": username, "password": password}
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return log_in


@pytest.fixture
def signed_in(app):
    """signed_in(username) → a test client with a session for that user, made directly on the
    server (no password: fast, for tests that log in many users; `login` tests the form). A
    user who works for several kommuner acts for the first made."""
    from outreach.auth import services as auth_services

    def sign_in(username: str):
        client = app.test_client()
        with app.app_context():
            user = db.session.execute(db.select(User).where(User.username == username)).scalar_one()
            token = auth_services.start_session(user)
            if len(user.kommuner) > 1:  # one who works for two acts for the first
                auth_services.choose_kommun(token, user, min(k.id for k in user.kommuner))
            db.session.commit()
            session_user = user.get_id()
        with client.session_transaction() as session:
            session["_user_id"] = session_user
            session["_fresh"] = True
            session["sid"] = token
        return client

    return sign_in
