"""The errors a request can meet: a domain rule refusing the input, someone else first, and
the database being away (which no request can help)."""

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import Forbidden


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


class Refused(Forbidden):
    """An action the user may not take on a record they can see: 403, saying why."""

    def __init__(self, message):
        super().__init__()
        self.message = message


#: What the database driver raises when it cannot be reached, is restarting, or is too busy
#: (SQLite: locked for longer than the busy timeout). Other database errors (a broken
#: constraint) are bugs or conflicts, not outages.
UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


def database_unavailable(error: BaseException) -> bool:
    """The error means the database is away or busy, not that the request was wrong."""
    return isinstance(error, UNAVAILABLE) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )
