"""What every benchmark starts from: the app on a benchmark database, with the settings the
benchmarks need (plain HTTP, no CSRF token, password login without a second factor).

BENCH_DATABASE_URL names a PostgreSQL database; without it an SQLite file in a temporary folder
is used.
"""

import os
import tempfile

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from outreach import create_app
from outreach.extensions import db


def bench_app(url: str, **overrides) -> Flask:
    """The app on the database at `url` (as it is: not emptied, not migrated)."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "SECRET_KEY": "bench",
            "FIELD_KEY": "bench-field-key-not-a-secret-0123456789",
            "REQUIRE_2FA": False,
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            **overrides,
        }
    )
    # Each request's log line is made as in production, and written nowhere: the table stays
    # readable.
    for handler in app.logger.handlers:
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (open for the app's life)
    return app


def fresh_app() -> Flask:
    """The app on a freshly migrated, empty benchmark database."""
    url = os.environ.get("BENCH_DATABASE_URL")
    app = bench_app(url or f"sqlite:///{tempfile.mkdtemp(prefix='outreach-bench-')}/bench.sqlite")
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
    return app
