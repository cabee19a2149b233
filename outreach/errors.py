"""The errors a request can meet: a domain rule refusing the input, someone else first, and
the database being away (which no request can help)."""

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from outreach.extensions import db


class RuleViolation(Exception):
    """Input that breaks a rule of the domain; the view answers 4xx with the message.

    `field` names the form field the message belongs to, or None for the form as a whole.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class Conflict(RuleViolation):
    """Someone else changed the record first; the view answers 409."""


#: What the database driver raises when it cannot be reached, is restarting, or is too busy
#: (SQLite: locked for longer than the busy timeout). Other database errors (a broken
#: constraint) are bugs or conflicts, not outages.
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def database_unavailable(error: BaseException) -> bool:
    """The error means the database is away or busy, not that the request was wrong."""
    return isinstance(error, UNAVAILABLE) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def forget_transaction() -> None:
    """Roll back whatever was begun; with the connection gone there is nothing to roll back,
    and the pool throws the connection away."""
    try:
        db.session.rollback()
    except DBAPIError:
        db.session.close()


def end_session(_error: BaseException | None = None) -> None:
    """After each request, before Flask-SQLAlchemy's own teardown: end the request's session.
    When the database went away after the answer was made, the closing rollback fails with
    it; the connection is thrown away and what it held with it, and the answer stands (an
    error here would turn it into a server error after the fact)."""
    try:
        db.session.remove()
    except DBAPIError as error:
        if not database_unavailable(error):
            raise
        db.session.remove()  # the dead connection is invalidated now: nothing to roll back
