"""The upgrade to kommuner (migrations 0020–0023) loses nothing: a database at the previous
head with a row in every table comes through with every row still there, all of it in one
kommun, the handoffs with VPC, and the audit chain intact."""

from contextlib import contextmanager
from datetime import UTC, date, datetime
from types import SimpleNamespace

from flask_migrate import upgrade
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    MetaData,
    create_engine,
    func,
    select,
    text,
)
from sqlalchemy.engine import make_url

from outreach import audit, audit_verify, create_app
from outreach.extensions import db
from tests.conftest import test_config

BEFORE = "0019"
MOMENT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@contextmanager
def _scratch_database(database_url: str, tmp_path):
    """An empty database of the same kind as the suite's, for this test alone."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite'}"
        return
    url = make_url(database_url)
    name = f"{url.database}_upgrade"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _value(table_name: str, column, model_columns: dict):
    """A valid value for a column of the old schema: 1 for every key (all rows point at the
    first row of each table), the first member of an enum (the old members come first),
    nothing where nothing may be."""
    head = model_columns.get((table_name, column.name))
    kind = column.type
    if head is not None and isinstance(head.type, Enum):
        return head.type.enums[0]
    if column.nullable and not column.primary_key:
        return None
    if column.primary_key or column.foreign_keys:
        return 1
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, DateTime):
        return MOMENT
    if isinstance(kind, Date):
        return date(2026, 1, 1)
    if isinstance(kind, Integer):
        return 1
    if column.name in {"moved", "counts", "shared_data"}:
        return "{}"
    length = getattr(kind, "length", None) or 40
    return f"{column.name}-1"[:length]


def _seed_every_table(connection) -> dict[str, int]:
    """A row in every table of the old schema (the audit row with its true hash)."""
    old = MetaData()
    old.reflect(connection)
    model_columns = {
        (table.name, column.name): column
        for table in db.metadata.sorted_tables
        for column in table.columns
    }
    for table in old.sorted_tables:
        if table.name in {"alembic_version", "audit_chain", "warning_sign"}:
            continue
        row = {column.name: _value(table.name, column, model_columns) for column in table.columns}
        if table.name == "audit_event":
            row.update(
                seq=1, prev_hash=audit.GENESIS, changes=None, action="read", youth_id=1, user_id=1
            )
            row["row_hash"] = audit.row_hash(SimpleNamespace(**row), with_kommun=False)
        if table.name == "youth_merge":
            row["merged_youth_id"] = 2
        connection.execute(table.insert().values(row))
    last_hash = connection.execute(text("SELECT row_hash FROM audit_event")).scalar_one()
    connection.execute(old.tables["audit_chain"].update().values(seq=1, last_hash=last_hash))
    return {
        table.name: _count(connection, table)
        for table in old.sorted_tables
        if table.name != "alembic_version"
    }


def _count(connection, table, *conditions) -> int:
    return connection.execute(select(func.count()).select_from(table).where(*conditions)).scalar()


def test_an_upgrade_puts_every_row_into_one_kommun_and_loses_none(
    database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("OUTREACH_KOMMUN_NAME", "Malmö")
    monkeypatch.setenv("OUTREACH_KOMMUN_CODE", "1280")
    with _scratch_database(database_url, tmp_path) as url:
        migrating = create_app(test_config(url))
        with migrating.app_context():
            upgrade(revision=BEFORE)
            with db.engine.begin() as connection:
                before = _seed_every_table(connection)
            assert all(count >= 1 for count in before.values()), before
            upgrade()
            with db.engine.connect() as connection:
                new = MetaData()
                new.reflect(connection)
                after = {name: _count(connection, new.tables[name]) for name in before}
                kommuner = connection.execute(text("SELECT id, name, code FROM kommun")).all()
                (kommun_id, name, code) = kommuner[0]
                assert len(kommuner) == 1 and (name, code) == ("Malmö", "1280")
                for table in new.sorted_tables:
                    if "kommun_id" in table.columns and table.name in before:
                        column = table.c.kommun_id
                        others = _count(connection, table, column.is_(None) | (column != kommun_id))
                        # of no kommun: only the standard catalogue's copy, and the audit
                        # row that vouches for the kommun of the rows before it
                        added = after[table.name] - before[table.name]
                        expected = added if table.name in {"warning_sign", "audit_event"} else 0
                        assert others == expected, table.name
                members = connection.execute(text("SELECT count(*) FROM kommun_member")).scalar()
                unit = connection.execute(
                    text("SELECT t.kind FROM handoff h JOIN team t ON t.id = h.to_unit_id")
                ).scalar_one()
            chain = audit_verify.verify()
        # the team was a field team: the handoff's VPC is made for it
        assert after.pop("team") == before.pop("team") + 1 and unit == "vpc"
        # the standard catalogue stays behind as a copy of the signs in use
        assert after.pop("warning_sign") == 2 * before.pop("warning_sign")
        assert after.pop("audit_event") == before.pop("audit_event") + 1
        assert after == before
        assert members == before["user"]
        # the audit row, and the row after it that vouches for its kommun
        assert chain.intact and chain.rows == 2, chain.problem
