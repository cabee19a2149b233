"""audit rows in their kommun: every row of the audit trail and access log carries the kommun
of the youth it names (the database refuses another) or of the member of staff who acted

The rows written before there were kommuner are placed where they belong: in the kommun of the
youth they name, of the record they are about, of the member of staff who acted (when they
work for one kommun), of another row about the same youth, or, when the database has a single
kommun, in it. What cannot be placed (the deployment's own events: an unknown name at the
login) stays in none. Their hashes do not cover the kommun (they were made before it), so a
row added to the chain after them vouches for it: its detail is the digest of their kommuner
(outreach.audit_verify.KommunDigest), and `flask audit verify` checks it. Rows from then on have the
kommun in their hash.

From now on the database refuses an audit row that names a youth in another kommun than its
own, or a member of staff who does not work for its kommun.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 12:30:00

"""
from contextlib import contextmanager
from types import SimpleNamespace

from alembic import op
import sqlalchemy as sa

import outreach.clock
from outreach.audit import HEAD_ID, row_hash
from outreach.audit_verify import KommunDigest


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

IN_KOMMUN = "an audit row belongs to the kommun of the youth it names and of the user who acted"

KOMMUN_TRIGGERS = {
    'postgresql': [
        f"""CREATE FUNCTION audit_event_in_kommun() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF (NEW.youth_id IS NOT NULL AND (NEW.kommun_id IS NULL OR EXISTS (
                SELECT 1 FROM youth WHERE youth.id = NEW.youth_id AND youth.kommun_id <> NEW.kommun_id)))
             OR (NEW.user_id IS NOT NULL AND NEW.kommun_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM kommun_member m WHERE m.user_id = NEW.user_id AND m.kommun_id = NEW.kommun_id))
          THEN RAISE EXCEPTION '{IN_KOMMUN}'; END IF;
          RETURN NEW;
        END $$""",
        """CREATE TRIGGER audit_event_in_kommun BEFORE INSERT ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_in_kommun()""",
    ],
    'sqlite': [
        f"""CREATE TRIGGER audit_event_in_kommun BEFORE INSERT ON audit_event
        WHEN (NEW.youth_id IS NOT NULL AND (NEW.kommun_id IS NULL OR EXISTS (
                SELECT 1 FROM youth WHERE youth.id = NEW.youth_id AND youth.kommun_id <> NEW.kommun_id)))
          OR (NEW.user_id IS NOT NULL AND NEW.kommun_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM kommun_member m WHERE m.user_id = NEW.user_id AND m.kommun_id = NEW.kommun_id))
        BEGIN SELECT RAISE(ABORT, '{IN_KOMMUN}'); END""",
    ],
}
DROP_KOMMUN_TRIGGERS = {
    'postgresql': [
        "DROP TRIGGER IF EXISTS audit_event_in_kommun ON audit_event",
        "DROP FUNCTION IF EXISTS audit_event_in_kommun()",
    ],
    'sqlite': ["DROP TRIGGER IF EXISTS audit_event_in_kommun"],
}


@contextmanager
def _rebuilding_audit_rows():
    """Around a change of audit_event: its append-only triggers step aside. On PostgreSQL they
    are disabled and enabled again; SQLite rebuilds the table (batch mode) and loses them, so
    they are made again from their own text."""
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        op.execute('ALTER TABLE audit_event DISABLE TRIGGER USER')
        yield
        op.execute('ALTER TABLE audit_event ENABLE TRIGGER USER')
        return
    triggers = connection.execute(sa.text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
    )).all()
    for name, _sql in triggers:
        op.execute(f'DROP TRIGGER {name}')
    yield
    for _name, sql in triggers:
        op.execute(sql)


def _place_rows(connection):
    """Each row's kommun, from the most to the least direct witness."""
    def fill(value, where):
        connection.execute(sa.text(f'UPDATE audit_event SET kommun_id = ({value}) WHERE kommun_id IS NULL AND {where}'))

    fill('SELECT y.kommun_id FROM youth y WHERE y.id = audit_event.youth_id', 'youth_id IS NOT NULL')
    inspector = sa.inspect(connection)
    for table in sorted(inspector.get_table_names()):
        columns = {column['name'] for column in inspector.get_columns(table)}
        if table != 'audit_event' and {'id', 'kommun_id'} <= columns:
            fill(f'SELECT t.kommun_id FROM {table} t WHERE t.id = audit_event.entity_id', f"entity_type = '{table}'")
    fill('SELECT k.id FROM kommun k WHERE k.id = audit_event.entity_id', "entity_type = 'kommun'")
    single = 'SELECT m.user_id FROM kommun_member m GROUP BY m.user_id HAVING count(*) = 1'
    fill('SELECT m.kommun_id FROM kommun_member m WHERE m.user_id = audit_event.user_id', f'user_id IN ({single})')
    fill('SELECT m.kommun_id FROM kommun_member m WHERE m.user_id = audit_event.entity_id', f"user_id IS NULL AND entity_type = 'user' AND entity_id IN ({single})")
    fill('SELECT min(b.kommun_id) FROM audit_event b WHERE b.youth_id = audit_event.youth_id', 'youth_id IS NOT NULL')
    if connection.execute(sa.text('SELECT count(*) FROM kommun')).scalar() == 1:
        fill('SELECT min(id) FROM kommun', 'youth_id IS NOT NULL OR user_id IS NOT NULL')


def _vouch_for_older_rows(connection) -> int:
    """Add the row that vouches for the kommuner of the rows before it; returns the first seq
    whose hash covers its kommun (1 on a new database: every row's does)."""
    head = connection.execute(sa.text('SELECT seq, last_hash FROM audit_chain WHERE id = :id'), {'id': HEAD_ID}).first()
    if head is None or head.seq == 0:
        return 1
    digest, last = KommunDigest(), 0
    while True:  # in chain order, a batch at a time
        rows = connection.execute(sa.text(
            'SELECT seq, kommun_id FROM audit_event WHERE seq > :last ORDER BY seq LIMIT 5000'
        ), {'last': last}).all()
        if not rows:
            break
        for seq, kommun_id in rows:
            digest.add(seq, kommun_id)
        last = rows[-1].seq
    marker = {
        'seq': head.seq + 1, 'prev_hash': head.last_hash, 'occurred_at': outreach.clock.now(),
        'user_id': None, 'action': 'update', 'entity_type': 'audit_chain', 'entity_id': None,
        'youth_id': None, 'kommun_id': None, 'detail': digest.detail, 'changes': None,
    }
    marker['row_hash'] = row_hash(SimpleNamespace(**marker))
    audit = sa.table('audit_event', *(sa.column(name) for name in marker))
    if connection.dialect.name == 'postgresql':  # rows written with their ids (a restore, the bench's seed)
        connection.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('audit_event', 'id'), "
            "coalesce((SELECT max(id) FROM audit_event), 0) + 1, false)"
        ))
    connection.execute(audit.insert().values(marker))
    connection.execute(sa.text(
        'UPDATE audit_chain SET seq = :seq, last_hash = :hash WHERE id = :id'
    ), {'seq': marker['seq'], 'hash': marker['row_hash'], 'id': HEAD_ID})
    return marker['seq']


def upgrade():
    connection = op.get_bind()
    with op.batch_alter_table('audit_chain') as batch_op:
        batch_op.add_column(sa.Column('kommun_from_seq', sa.Integer(), server_default='1', nullable=False))
    with _rebuilding_audit_rows():
        with op.batch_alter_table('audit_event') as batch_op:
            batch_op.add_column(sa.Column('kommun_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f('fk_audit_event_kommun_id_kommun'), 'kommun', ['kommun_id'], ['id'])
        _place_rows(connection)
    from_seq = _vouch_for_older_rows(connection)
    connection.execute(sa.text('UPDATE audit_chain SET kommun_from_seq = :s'), {'s': from_seq})
    for statement in KOMMUN_TRIGGERS[connection.dialect.name]:
        op.execute(statement)


def downgrade():
    connection = op.get_bind()
    hashed_with_kommun = connection.execute(sa.text(
        'SELECT count(*) FROM audit_event e JOIN audit_chain c '
        'ON e.seq > c.kommun_from_seq OR c.kommun_from_seq = 1'
    )).scalar()
    if hashed_with_kommun:
        raise RuntimeError('Audit rows were written with their kommun: a downgrade would break the chain.')
    for statement in DROP_KOMMUN_TRIGGERS[connection.dialect.name]:
        op.execute(statement)
    with _rebuilding_audit_rows():
        with op.batch_alter_table('audit_event') as batch_op:
            batch_op.drop_constraint('fk_audit_event_kommun_id_kommun', type_='foreignkey')
            batch_op.drop_column('kommun_id')
    with op.batch_alter_table('audit_chain') as batch_op:
        batch_op.drop_column('kommun_from_seq')
