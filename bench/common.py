"""What every benchmark starts from: the app on an empty, migrated throwaway database.

BENCH_DATABASE_URL names a PostgreSQL database whose schema is dropped and rebuilt; without it
an SQLite file in a temporary folder is used.
"""

import os
import tempfile

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from outreach import create_app
from outreach.extensions import db


def fresh_app() -> Flask:
    """The app on a freshly migrated benchmark database (plain HTTP, no CSRF, password login)."""
    url = os.environ.get("BENCH_DATABASE_URL")
    url = url or f"sqlite:///{tempfile.mkdtemp(prefix='outreach-bench-')}/bench.sqlite"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "SECRET_KEY": "bench",
            "FIELD_KEY": "bench-field-key-not-a-secret-0123456789",
            "REQUIRE_2FA": False,
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
    return app
