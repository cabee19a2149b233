"""The upgrade that puts the audit trail's rows into kommuner (migration 0023): each row goes to
the kommun its youth, record or member of staff shows, none is lost, and the chain stays
verifiable, the kommun of the older rows included."""

from datetime import timedelta
from types import SimpleNamespace

from flask_migrate import upgrade
from sqlalchemy import MetaData, text

from outreach import audit, audit_verify, create_app
from outreach.audit import AuditAction, AuditChain
from outreach.extensions import db
from tests.conftest import append_only_suspended, test_config
from tests.test_kommun_migration import MOMENT, _scratch_database, _value

BEFORE = "0022"
MALMO, BOTKYRKA = 1, 2
#: seq: (user who acted, action, record, its id, youth) → the kommun the row must end in
ROWS = {
    1: ((3, "read", "youth", 1, 1), BOTKYRKA),  # the youth's kommun (the reader works for both)
    2: ((1, "login", "user", 1, None), MALMO),  # the user works for Malmö alone
    3: ((None, "login_failed", "user", 2, None), BOTKYRKA),  # the account's only kommun
    4: ((None, "login_failed", "user", None, None), None),  # an unknown name: the deployment's
    5: ((3, "read", "youth", 99, 99), BOTKYRKA),  # a youth since deleted: its other row tells
    6: ((2, "create", "youth", 99, 99), BOTKYRKA),  # made by a user of Botkyrka alone
    7: ((3, "login", "kommun", MALMO, None), MALMO),  # "act for" names its kommun
}


def _seed(connection) -> None:
    """Two kommuner, a team, a youth and users in each (one user in both), and audit rows
    written before they had a kommun, with their true hashes."""
    old = MetaData()
    old.reflect(connection)
    columns = {
        (table.name, column.name): column
        for table in db.metadata.sorted_tables
        for column in table.columns
    }

    def insert(table_name: str, **values) -> None:
        table = old.tables[table_name]
        row = {column.name: _value(table_name, column, columns) for column in table.columns}
        connection.execute(table.insert().values({**row, **values}))

    insert("kommun", id=MALMO, name="Malmö", code="1280")
    insert("kommun", id=BOTKYRKA, name="Botkyrka", code="0127")
    for team, kommun in ((1, MALMO), (2, BOTKYRKA)):
        insert("team", id=team, name=f"Fältgruppen {team}", kind="field", kommun_id=kommun)
    for user, kommuner in ((1, [MALMO]), (2, [BOTKYRKA]), (3, [MALMO, BOTKYRKA])):
        insert("user", id=user, username=f"user{user}", role="field_worker")
        for kommun in kommuner:
            insert("kommun_member", user_id=user, kommun_id=kommun)
    insert("youth", id=1, team_id=2, kommun_id=BOTKYRKA, created_by_id=2, home_area_id=None)
    previous = audit.GENESIS
    for seq, ((user, action, entity, entity_id, youth), _kommun) in ROWS.items():
        row = SimpleNamespace(
            seq=seq,
            prev_hash=previous,
            occurred_at=MOMENT + timedelta(minutes=seq),
            user_id=user,
            action=action,
            entity_type=entity,
            entity_id=entity_id,
            youth_id=youth,
            detail="",
            changes=None,
        )
        row.row_hash = previous = audit.row_hash(row, with_kommun=False)
        insert("audit_event", id=seq, **vars(row))
    connection.execute(
        text("UPDATE audit_chain SET seq = :s, last_hash = :h"), {"s": 7, "h": previous}
    )


def test_the_audit_rows_go_to_their_kommun_and_the_chain_vouches_for_it(database_url, tmp_path):
    with _scratch_database(database_url, tmp_path) as url:
        migrating = create_app(test_config(url))
        with migrating.app_context():
            upgrade(revision=BEFORE)
            with db.engine.begin() as connection:
                _seed(connection)
            upgrade()
            placed = dict(db.session.execute(text("SELECT seq, kommun_id FROM audit_event")).all())
            head = db.session.get(AuditChain, audit.HEAD_ID)
            marker = db.session.execute(
                text("SELECT entity_type, kommun_id, detail FROM audit_event WHERE seq = 8")
            ).one()
            assert placed == {
                **{seq: kommun for seq, (_row, kommun) in ROWS.items()},
                8: None,
            }
            assert (head.seq, head.kommun_from_seq) == (8, 8)
            assert marker.entity_type == "audit_chain" and marker.detail.startswith(
                audit_verify.KommunDigest.PREFIX
            )
            report = audit_verify.verify()
            assert report.intact and report.rows == 8, report.problem

            # rows written from now on carry their kommun in their own hash
            audit.record(AuditAction.LOGIN, "user", 1, user_id=1, kommun_id=MALMO)
            db.session.commit()
            assert audit_verify.verify().intact and audit_verify.verify().rows == 9

            # an older row moved to another kommun: the row that vouches for them tells
            with append_only_suspended():
                db.session.execute(text("UPDATE audit_event SET kommun_id = 1 WHERE seq = 1"))
            db.session.expire_all()
            report = audit_verify.verify()
            assert report.broken_at == 8 and "kommuner" in report.problem
            db.session.remove()
