"""Where the per-address login limits are counted: in the database, so every gunicorn worker
and every server behind the load balancer counts the same attempts.

Flask-Limiter keeps its strategy (fixed windows) and asks a storage of the `limits` library to
count; this is that storage, chosen by RATELIMIT_STORAGE_URI "database://" (the default). A
deployment with Redis may name it instead ("redis://host:6379").

A count is written on a connection of its own and committed at once, so it outlives a
request that rolls back (a refused code saves nothing else). One exception: on SQLite a request
that has already written (a logged-in session's last-seen time, before the view) holds the
database's write lock, and a second connection would wait for it until the busy timeout; there
the count joins the request's transaction. Windows that ended are forgotten as counts are
written, skipping rows another writer holds (PostgreSQL), so two writers never wait for each
other's rows.
"""

import time
from contextlib import contextmanager

from flask import Flask, has_request_context
from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from outreach import transaction
from outreach.extensions import db, limiter, upsert_insert

SCHEME = "database"


class RateCount(db.Model):
    """Attempts counted in one window of one limit for one address."""

    __tablename__ = "rate_count"

    #: Flask-Limiter's key: the limit, the route and the client's address.
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    #: When the window ends (seconds since the epoch, as the `limits` library counts).
    expires_at: Mapped[float] = mapped_column(Float)


@contextmanager
def _writer():
    """Where a count is written: a connection of its own, committed at the end; the
    request's session on SQLite once the request has written (see above)."""
    if db.engine.dialect.name == "sqlite" and has_request_context() and transaction.wrote():
        yield db.session
        return
    with db.engine.begin() as connection:
        yield connection


class DatabaseStorage(Storage):
    """The `limits` storage on the app's database (registered for "database://")."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Count `amount` attempts in the key's window (a new window when it has ended), and
        forget the other windows that have ended, in the request's transaction."""
        moment = time.time()
        table = RateCount.__table__
        ended = table.c.expires_at <= moment
        with _writer() as writer:
            statement = upsert_insert(table, writer).values(
                key=key, hits=amount, expires_at=moment + expiry
            )
            statement = statement.on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "hits": case((ended, amount), else_=table.c.hits + amount),
                    "expires_at": case((ended, moment + expiry), else_=table.c.expires_at),
                },
            ).returning(table.c.hits)
            hits = writer.execute(statement).scalar_one()
            forgotten = select(table.c.key).where(ended, table.c.key != key)
            if db.engine.dialect.name == "postgresql":
                forgotten = forgotten.with_for_update(skip_locked=True)
            writer.execute(delete(table).where(table.c.key.in_(forgotten)))
        return hits

    def _window(self, key: str) -> tuple[int, float] | None:
        row = db.session.execute(
            select(RateCount.hits, RateCount.expires_at).where(
                RateCount.key == key, RateCount.expires_at > time.time()
            )
        ).first()
        return None if row is None else (row.hits, row.expires_at)

    def get(self, key: str) -> int:
        window = self._window(key)
        return 0 if window is None else window[0]

    def get_expiry(self, key: str) -> float:
        window = self._window(key)
        return time.time() if window is None else window[1]

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    # Forgetting counts is for tests and the operator, outside a request: committed at once.
    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(RateCount.__table__)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(RateCount.__table__).where(RateCount.key == key))


def init_app(app: Flask) -> None:
    """Bind the login limits, counted where RATELIMIT_STORAGE_URI says (this module's
    storage is registered by being imported)."""
    limiter.init_app(app)
