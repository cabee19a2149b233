"""A page's statements are prepared once on each connection and planned once for anyone
(docs/performance.md): a request that only reads ends with a COMMIT, which keeps psycopg's
prepared statements (a ROLLBACK drops them all); a LIMIT is written into the statement as its
number, and so are a vocabulary's members in `one_of`, so that the plan made once knows them.
"""

import pytest
from sqlalchemy import event, select

from outreach.extensions import PREPARED_MAX, db, one_of
from outreach.org.models import Team, TeamKind
from tests.addresses import address_for
from tests.sql import statements_run


def test_a_page_that_only_reads_keeps_its_statements_prepared(app, world, signed_in):
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's statements are not prepared on a server")
    client = signed_in("falt_a")
    connections = set()

    def seen(connection, *_args):
        connections.add(connection.connection.driver_connection)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        for _ in range(30):  # psycopg prepares a statement the fifth time it sees it
            assert client.get(address_for("shifts.shift_list")).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    prepared = []
    for connection in connections:
        assert connection.prepared_max == PREPARED_MAX
        prepared.append(
            connection.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0]
        )
        connection.rollback()
    assert max(prepared) >= 3  # the login session, the shifts, the notifications


def test_a_limit_is_written_into_the_statement_and_right_for_any_number(app, world):
    with statements_run(app) as run, app.app_context():
        found = [
            db.session.execute(select(Team.id).order_by(Team.id).limit(wanted)).scalars().all()
            for wanted in (1, 2, 1, 3)
        ]
        dialect = db.engine.dialect.name
    assert [len(ids) for ids in found] == [1, 2, 1, 3]
    if dialect == "postgresql":
        assert [statement.rsplit("LIMIT", 1)[1].split()[0] for statement in run] == [
            "1",
            "2",
            "1",
            "3",
        ]


def test_one_of_writes_the_members_into_the_statement(app, world):
    with statements_run(app) as run, app.app_context():
        kinds = db.session.execute(
            select(Team.kind).where(one_of(Team.kind, [TeamKind.FIELD])).distinct()
        ).scalars()
        assert list(kinds) == [TeamKind.FIELD]
    assert f"IN ('{TeamKind.FIELD.value}')" in run[-1]
