"""The Flask extensions, created unbound here and bound to the app in create_app()."""

import sqlite3

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Connection, Engine, Enum, MetaData, bindparam, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.selectable import _OffsetLimitParam

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with constraint names that Alembic can diff on both databases."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
#: Per-address limits on login and second factor (storage: RATELIMIT_STORAGE_URI).
limiter = Limiter(key_func=get_remote_address)


def upsert_insert(table, bind=None):
    """An INSERT of `table` for the database of `bind` (a session, by default the app's, or a
    connection) that can take ON CONFLICT DO UPDATE (PostgreSQL's or SQLite's; both write it
    alike)."""
    if not isinstance(bind, Connection):
        bind = (bind or db.session).get_bind()
    return (postgresql if bind.dialect.name == "postgresql" else sqlite).insert(table)


def enum_type(enum_class: type, length: int) -> Enum:
    """A portable enum column (VARCHAR + CHECK) that stores the members' values."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        create_constraint=True,
        validate_strings=True,
    )


def one_of(column, members):
    """`column IN (...)` for members fixed in the code (a vocabulary's), written into the
    statement rather than bound: a prepared statement's generic plan then knows which they
    are, and how many of the table's rows have them (the inbox's handled handoffs are a few
    of a unit's thousands)."""
    return column.in_(bindparam(None, list(members), expanding=True, literal_execute=True))


#: How many prepared statements psycopg keeps on each connection (its default is 100): the
#: benchmark's thirteen requests alone keep 80 prepared and 20 more counted on one connection,
#: and a statement evicted is deallocated on the server with a round trip of its own, then
#: parsed and planned afresh when it comes back.
PREPARED_MAX = 250


@event.listens_for(Engine, "connect")
def _prepared_statements_kept(dbapi_connection, _record) -> None:
    """PostgreSQL: keep more of the pages' statements prepared (PREPARED_MAX)."""
    if hasattr(dbapi_connection, "prepared_max"):
        dbapi_connection.prepared_max = PREPARED_MAX


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys, let concurrent writers wait instead of failing, and
    overwrite deleted content with zeros (gallring leaves nothing readable in the file)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


@compiles(_OffsetLimitParam, "postgresql")
def _limit_written_out(element, compiler, **kw) -> str:
    """PostgreSQL: a LIMIT (or OFFSET) is written into the statement as its number, not
    bound. The pages' statements are prepared on the server (transaction.end_session), and
    the plan PostgreSQL makes once for a prepared statement does not know a bound LIMIT: it
    takes it for a tenth of the rows, where a page keeps 21 or 51 (docs/performance.md). The
    number comes in at execution, so a cached statement stays right for any limit."""
    kw["literal_execute"] = True
    return compiler.visit_bindparam(element, **kw)
