"""Where the per-address login limits are counted: in the database, so every gunicorn worker
and every server behind the load balancer counts the same attempts.

Flask-Limiter keeps its strategy (fixed windows) and asks a storage of the `limits` library to
count; this is that storage, chosen by RATELIMIT_STORAGE_URI "database://" (the default). A
deployment with Redis may name it instead ("redis://host:6379"). Each count is written on a
connection of its own and committed at once: a refused login that rolls its request back
still counts.
"""

import time

from flask import Flask
from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

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
        forget the windows that have ended; one transaction, committed at once."""
        moment = time.time()
        table = RateCount.__table__
        with db.engine.begin() as connection:
            ended = table.c.expires_at <= moment
            statement = upsert_insert(table, connection).values(
                key=key, hits=amount, expires_at=moment + expiry
            )
            statement = statement.on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "hits": case((ended, amount), else_=table.c.hits + amount),
                    "expires_at": case((ended, moment + expiry), else_=table.c.expires_at),
                },
            ).returning(table.c.hits)
            hits = connection.execute(statement).scalar_one()
            connection.execute(delete(table).where(ended, table.c.key != key))
        return hits

    def _window(self, key: str) -> tuple[int, float] | None:
        with db.engine.connect() as connection:
            row = connection.execute(
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
