"""sensitive fields encrypted at rest, the audit trail as an append-only hash chain

Personnummer (with a keyed lookup hash), the youth details of handoffs and sent reports and the
old/new values in the audit trail are encrypted with the field key (OUTREACH_FIELD_KEY, read
from the app's configuration). Existing audit rows are chained in id order. Afterwards the
database refuses UPDATE, DELETE and TRUNCATE of audit rows (triggers).

A later migration that rebuilds audit_event on SQLite (batch mode) drops its triggers with the
old table and must create them again (TRIGGERS below).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 23:20:00

"""
from types import SimpleNamespace

from alembic import op
import sqlalchemy as sa

import outreach.clock
from outreach.audit import GENESIS, row_hash
from outreach.crypto import keys

AUDIT_ACTIONS = ['read', 'create', 'correct', 'update', 'login', 'login_failed', 'logout', 'list', 'export', 'print']


def audit_action_type(*extra):
    return sa.Enum(*AUDIT_ACTIONS, *extra, name='auditaction', native_enum=False, create_constraint=True, length=20)


REFUSE = "audit rows are append-only"

TRIGGERS = {
    'postgresql': [
        f"""CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{REFUSE}'; END $$""",
        """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
        """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
    ],
    'sqlite': [
        f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
        BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END""",
        f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
        BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END""",
    ],
}
DROP_TRIGGERS = {
    'postgresql': [
        "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
        "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
        "DROP FUNCTION IF EXISTS audit_event_append_only()",
    ],
    'sqlite': [
        "DROP TRIGGER IF EXISTS audit_event_no_update",
        "DROP TRIGGER IF EXISTS audit_event_no_delete",
    ],
}

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def _in_batches(table, columns, where):
    """The rows of a table in id order, a batch at a time (large tables do not fit in memory)."""
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(sa.select(table.c.id, *columns).where(where, table.c.id > last_id).order_by(table.c.id).limit(5000)).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1][0]


def _convert(table_name, column_name, change):
    """Rewrite one text column row by row with `change`."""
    table = sa.table(table_name, sa.column('id', sa.Integer), sa.column(column_name, sa.Text))
    column = table.c[column_name]
    statement = table.update().where(table.c.id == sa.bindparam('row_id')).values({column_name: sa.bindparam('value')})
    for rows in _in_batches(table, [column], column.is_not(None)):
        op.get_bind().execute(statement, [{'row_id': row_id, 'value': change(value)} for row_id, value in rows])


def _fill_lookup_hashes():
    youth = sa.table('youth', sa.column('id', sa.Integer), sa.column('personnummer', sa.Text), sa.column('personnummer_lookup', sa.String))
    statement = youth.update().where(youth.c.id == sa.bindparam('row_id')).values(personnummer=sa.bindparam('token'), personnummer_lookup=sa.bindparam('lookup'))
    for rows in _in_batches(youth, [youth.c.personnummer], youth.c.personnummer.is_not(None)):
        op.get_bind().execute(statement, [{'row_id': row_id, 'token': keys().encrypt(plain), 'lookup': keys().lookup_hash(plain)} for row_id, plain in rows])


def _chain_existing_rows():
    """Give every existing audit row its place in the chain, in id order."""
    bind = op.get_bind()
    audit = sa.table(
        'audit_event', sa.column('id', sa.Integer), sa.column('seq', sa.Integer),
        sa.column('occurred_at', outreach.clock.UTCDateTime()), sa.column('user_id', sa.Integer),
        sa.column('action', sa.String), sa.column('entity_type', sa.String), sa.column('entity_id', sa.Integer),
        sa.column('youth_id', sa.Integer), sa.column('detail', sa.String), sa.column('changes', sa.Text),
        sa.column('prev_hash', sa.String), sa.column('row_hash', sa.String),
    )
    statement = audit.update().where(audit.c.id == sa.bindparam('row_id')).values(seq=sa.bindparam('new_seq'), prev_hash=sa.bindparam('prev'), row_hash=sa.bindparam('hash'))
    previous, seq, last_id = GENESIS, 0, 0
    while True:  # in id order, a batch at a time (millions of rows do not fit in memory)
        rows = bind.execute(sa.select(audit).where(audit.c.id > last_id).order_by(audit.c.id).limit(5000)).mappings().all()
        if not rows:
            break
        updates = []
        for row in rows:
            seq += 1
            current = row_hash(SimpleNamespace(**{**row, 'seq': seq, 'prev_hash': previous}), with_kommun=False)
            updates.append({'row_id': row['id'], 'new_seq': seq, 'prev': previous, 'hash': current})
            previous = current
        bind.execute(statement, updates)
        last_id = rows[-1]['id']
    chain = sa.table('audit_chain', sa.column('id', sa.Integer), sa.column('seq', sa.Integer), sa.column('last_hash', sa.String))
    bind.execute(chain.insert().values(id=1, seq=seq, last_hash=previous))


def upgrade():
    dialect = op.get_bind().dialect.name
    # personnummer: encrypted, with a keyed hash for exact lookup and uniqueness in a team
    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personnummer_lookup', sa.String(length=64), nullable=True))
        batch_op.alter_column('personnummer', existing_type=sa.VARCHAR(length=12), type_=sa.Text(), existing_nullable=True)
        batch_op.drop_constraint(batch_op.f('uq_youth_team_id_personnummer'), type_='unique')
    _fill_lookup_hashes()
    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_youth_personnummer_lookup'), ['personnummer_lookup'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_youth_team_id_personnummer_lookup'), ['team_id', 'personnummer_lookup'])

    # the youth details that travel with a handoff or a sent report; old/new values of changes
    _convert('handoff', 'shared_data', lambda text: keys().encrypt(text))
    _convert('report_of_concern', 'child_snapshot', lambda text: keys().encrypt(text))
    _convert('audit_event', 'changes', lambda text: keys().encrypt(text))

    # the hash chain
    op.create_table('audit_chain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
    _chain_existing_rows()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('row_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_seq'), ['seq'])
        batch_op.alter_column('action', existing_type=audit_action_type(), type_=audit_action_type('grant', 'revoke'), existing_nullable=False)

    for statement in TRIGGERS[dialect]:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in DROP_TRIGGERS[dialect]:
        op.execute(statement)
    op.execute("DELETE FROM audit_event WHERE action IN ('grant', 'revoke')")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('action', existing_type=audit_action_type('grant', 'revoke'), type_=audit_action_type(), existing_nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_audit_event_seq'), type_='unique')
        batch_op.drop_column('row_hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
    op.drop_table('audit_chain')

    _convert('audit_event', 'changes', lambda token: keys().decrypt(token))
    _convert('report_of_concern', 'child_snapshot', lambda token: keys().decrypt(token))
    _convert('handoff', 'shared_data', lambda token: keys().decrypt(token))

    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_youth_team_id_personnummer_lookup'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_youth_personnummer_lookup'))
    _convert('youth', 'personnummer', lambda token: keys().decrypt(token))
    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.alter_column('personnummer', existing_type=sa.Text(), type_=sa.VARCHAR(length=12), existing_nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_youth_team_id_personnummer'), ['team_id', 'personnummer'])
        batch_op.drop_column('personnummer_lookup')
