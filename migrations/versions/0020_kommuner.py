"""kommuner: the organisation above teams. Every row of a kommun carries its kommun_id, and
names the rows it refers to through composite keys that include it, so that no row can point
into another kommun. Teams become field teams or receiving units (with a consent category and
first-contact times); a handoff goes to one unit.

An existing database has all its data put into one kommun, named by OUTREACH_KOMMUN_NAME and
OUTREACH_KOMMUN_CODE if set (otherwise "Kommunen", 0000: `flask kommun name` names it after
the upgrade). Every user works for it, its handoffs go to its VPC team (one is made if it had
none), and its warning-sign catalogue is the old catalogue, of which a copy stays behind as the
standard catalogue new kommuner start from.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 18:20:00

"""
import os

from alembic import op
import sqlalchemy as sa

import outreach.clock


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

#: table: (kommun_id NOT NULL, (id, kommun_id) is a key others refer to, indexed on
#: kommun_id, [(column, referred table[.column], ondelete, deferred)])
TABLES = {
    'team': (True, True, True, []),
    'area': (True, True, True, []),
    'place': (True, True, False, [('area_id', 'area', None, False)]),
    'warning_sign': (False, True, True, []),
    'membership': (True, False, False, [
        ('team_id', 'team', 'CASCADE', False),
        ('user_id', 'kommun_member.user_id', 'CASCADE', True),
    ]),
    'youth': (True, True, True, [
        ('team_id', 'team', None, False),
        ('home_area_id', 'area', None, False),
    ]),
    'shift': (True, True, False, [
        ('team_id', 'team', None, False),
        ('area_id', 'area', None, False),
    ]),
    'shift_worker': (True, False, False, [
        ('shift_id', 'shift', 'CASCADE', False),
        ('user_id', 'kommun_member.user_id', None, False),
    ]),
    'anonymous_contact': (True, False, True, [
        ('shift_id', 'shift', None, False),
        ('team_id', 'team', None, False),
        ('place_id', 'place', None, False),
    ]),
    'identified_contact': (True, True, True, [
        ('shift_id', 'shift', None, False),
        ('team_id', 'team', None, False),
        ('place_id', 'place', None, False),
        ('corrects_id', 'identified_contact', None, False),
    ]),
    'identified_contact_youth': (True, False, False, [
        ('contact_id', 'identified_contact', 'CASCADE', False),
        ('youth_id', 'youth', 'CASCADE', False),
    ]),
    'risk_marking': (True, True, False, [('youth_id', 'youth', 'CASCADE', False)]),
    'risk_marking_sign': (True, False, False, [
        ('marking_id', 'risk_marking', 'CASCADE', False),
        ('sign_id', 'warning_sign', None, False),
    ]),
    'report_of_concern': (True, True, True, [('youth_id', 'youth', 'CASCADE', False)]),
    'handoff': (True, True, True, [
        ('youth_id', 'youth', 'CASCADE', False),
        ('from_team_id', 'team', None, False),
        ('to_unit_id', 'team', None, False),
        ('report_id', 'report_of_concern', None, False),
    ]),
    'notification': (True, False, False, [
        ('user_id', 'kommun_member.user_id', 'CASCADE', False),
        ('handoff_id', 'handoff', 'CASCADE', False),
    ]),
    'outbox_mail': (True, False, True, [('handoff_id', 'handoff', 'CASCADE', False)]),
    'protected_access': (True, False, False, [
        ('youth_id', 'youth', 'CASCADE', False),
        ('user_id', 'kommun_member.user_id', None, False),
    ]),
    'retention_run': (True, False, True, []),
}

OLD_KINDS = ('field', 'vpc')
NEW_KINDS = ('field', 'vpc', 'exit', 'sspf', 'intake', 'other')
OLD_ROLES = ('field_worker', 'team_lead', 'caseworker', 'admin')
NEW_ROLES = (*OLD_ROLES, 'operator')
OLD_RECIPIENTS = ('vpc', 'sspf', 'school', 'police', 'other')
NEW_RECIPIENTS = ('vpc', 'exit', 'sspf', 'social', 'school', 'police', 'other')


def _batch(table):
    """The batch of one table's changes (SQLite rebuilds it: youth ids stay never reused)."""
    kwargs = {'sqlite_autoincrement': True} if table == 'youth' else {}
    return op.batch_alter_table(table, table_kwargs=kwargs)


def _enum(values, name, length):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def upgrade():
    op.create_table('kommun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('retention_years', sa.SmallInteger(), nullable=True),
    sa.Column('created_at', outreach.clock.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kommun')),
    sa.UniqueConstraint('code', name=op.f('uq_kommun_code')),
    sa.UniqueConstraint('name', name=op.f('uq_kommun_name'))
    )
    op.create_table('kommun_member',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kommun_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['kommun_id'], ['kommun.id'], name=op.f('fk_kommun_member_kommun_id_kommun'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_kommun_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kommun_id', name=op.f('pk_kommun_member'))
    )

    # the columns, nullable until filled
    for table in TABLES:
        with _batch(table) as batch_op:
            batch_op.add_column(sa.Column('kommun_id', sa.Integer(), nullable=True))
            if table == 'handoff':
                batch_op.add_column(sa.Column('to_unit_id', sa.Integer(), nullable=True))
            if table == 'team':
                batch_op.add_column(sa.Column('recipient', _enum(NEW_RECIPIENTS, 'recipient', 10), nullable=True))
                batch_op.add_column(sa.Column('first_contact_hours', sa.SmallInteger(), nullable=True))
                batch_op.add_column(sa.Column('urgent_first_contact_hours', sa.SmallInteger(), nullable=True))
                batch_op.alter_column('kind', existing_type=_enum(OLD_KINDS, 'teamkind', 10), type_=_enum(NEW_KINDS, 'teamkind', 10), existing_nullable=False)
    with op.batch_alter_table('consent_recipient') as batch_op:
        batch_op.alter_column('recipient', existing_type=_enum(OLD_RECIPIENTS, 'recipient', 10), type_=_enum(NEW_RECIPIENTS, 'recipient', 10), existing_nullable=False)
    with op.batch_alter_table('user') as batch_op:
        batch_op.alter_column('role', existing_type=_enum(OLD_ROLES, 'role', 20), type_=_enum(NEW_ROLES, 'role', 20), existing_nullable=False)
    with op.batch_alter_table('login_session') as batch_op:
        batch_op.add_column(sa.Column('kommun_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_login_session_kommun_id_kommun'), 'kommun', ['kommun_id'], ['id'], ondelete='CASCADE')

    _fill()

    for table, (not_null, referred, indexed, _keys) in TABLES.items():
        with _batch(table) as batch_op:
            if not_null:
                batch_op.alter_column('kommun_id', existing_type=sa.Integer(), nullable=False)
            if table == 'handoff':
                batch_op.alter_column('to_unit_id', existing_type=sa.Integer(), nullable=False)
                batch_op.create_index(batch_op.f('ix_handoff_to_unit_id'), ['to_unit_id'], unique=False)
                batch_op.create_foreign_key(batch_op.f('fk_handoff_to_unit_id_team'), 'team', ['to_unit_id'], ['id'])
            if table in ('team', 'area'):
                batch_op.drop_constraint(f'uq_{table}_name', type_='unique')
                batch_op.create_unique_constraint(f'uq_{table}_kommun_id_name', ['kommun_id', 'name'])
            if indexed:
                batch_op.create_index(f'ix_{table}_kommun_id', ['kommun_id'], unique=False)
            if referred:
                batch_op.create_unique_constraint(f'uq_{table}_id_kommun_id', ['id', 'kommun_id'])
            batch_op.create_foreign_key(f'fk_{table}_kommun_id_kommun', 'kommun', ['kommun_id'], ['id'])

    for table, (_not_null, _referred, _indexed, keys) in TABLES.items():
        if not keys:
            continue
        with _batch(table) as batch_op:
            for column, target, ondelete, deferred in keys:
                target_table, _dot, target_column = target.partition('.')
                batch_op.create_foreign_key(
                    f'fk_{table}_{column}_kommun',
                    target_table,
                    [column, 'kommun_id'],
                    [target_column or 'id', 'kommun_id'],
                    ondelete=ondelete,
                    deferrable=deferred or None,
                    initially='DEFERRED' if deferred else None,
                )


def _fill():
    """Everything into one kommun, when there is anything."""
    connection = op.get_bind()
    if connection.execute(sa.text('SELECT 1 FROM team UNION SELECT 1 FROM "user"')).first() is None:
        return  # a new database: the operator creates the kommuner
    name = os.environ.get('OUTREACH_KOMMUN_NAME', '').strip() or 'Kommunen'
    code = os.environ.get('OUTREACH_KOMMUN_CODE', '').strip() or '0000'
    kommun = sa.table('kommun', sa.column('id'), sa.column('name'), sa.column('code'), sa.column('created_at'))
    connection.execute(kommun.insert().values(name=name, code=code, created_at=outreach.clock.now()))
    kommun_id = connection.execute(sa.select(kommun.c.id)).scalar_one()
    connection.execute(
        sa.text('INSERT INTO kommun_member (user_id, kommun_id) SELECT id, :k FROM "user"'),
        {'k': kommun_id},
    )
    for table in (*TABLES, 'login_session'):  # the sessions go on, for the one kommun
        connection.execute(sa.text(f'UPDATE {table} SET kommun_id = :k'), {'k': kommun_id})
    _sync_sequence('warning_sign')
    _sync_sequence('team')
    # the standard catalogue new kommuner start from: the signs in use now
    connection.execute(sa.text(
        'INSERT INTO warning_sign ("group", label, is_active, kommun_id) '
        'SELECT "group", label, is_active, NULL FROM warning_sign WHERE is_active = :yes ORDER BY id'
    ), {'yes': True})
    # the receiving unit of every handoff so far: the kommun's VPC
    vpc_id = connection.execute(sa.text("SELECT min(id) FROM team WHERE kind = 'vpc'")).scalar()
    has_handoffs = connection.execute(sa.text('SELECT 1 FROM handoff')).first() is not None
    if vpc_id is None and has_handoffs:
        connection.execute(sa.text(
            "INSERT INTO team (name, kind, kommun_id) VALUES ('Våldspreventivt centrum', 'vpc', :k)"
        ), {'k': kommun_id})
        vpc_id = connection.execute(sa.text("SELECT min(id) FROM team WHERE kind = 'vpc'")).scalar()
    connection.execute(sa.text("UPDATE team SET recipient = 'vpc' WHERE kind = 'vpc'"))
    if vpc_id is not None:
        connection.execute(sa.text('UPDATE handoff SET to_unit_id = :t'), {'t': vpc_id})


def _sync_sequence(table):
    """PostgreSQL: the table's id sequence past its rows (rows written with their ids, as a
    restore or the benchmark's seed writes them, leave it behind)."""
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        connection.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        ))


def downgrade():
    connection = op.get_bind()
    if connection.execute(sa.text('SELECT count(*) FROM kommun')).scalar() > 1:
        raise RuntimeError('More than one kommun: a downgrade would mix their data.')
    for table, (_not_null, referred, indexed, keys) in reversed(list(TABLES.items())):
        with _batch(table) as batch_op:
            for column, target, _ondelete, _deferred in keys:
                batch_op.drop_constraint(f'fk_{table}_{column}_kommun', type_='foreignkey')
    if connection.execute(sa.text('SELECT 1 FROM kommun')).first() is not None:
        connection.execute(sa.text('DELETE FROM warning_sign WHERE kommun_id IS NULL'))
    connection.execute(sa.text("DELETE FROM team WHERE kind NOT IN ('field', 'vpc')"))
    for table, (_not_null, referred, indexed, _keys) in reversed(list(TABLES.items())):
        with _batch(table) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_kommun_id_kommun', type_='foreignkey')
            if referred:
                batch_op.drop_constraint(f'uq_{table}_id_kommun_id', type_='unique')
            if indexed:
                batch_op.drop_index(f'ix_{table}_kommun_id')
            if table in ('team', 'area'):
                batch_op.drop_constraint(f'uq_{table}_kommun_id_name', type_='unique')
                batch_op.create_unique_constraint(f'uq_{table}_name', ['name'])
            if table == 'handoff':
                batch_op.drop_constraint('fk_handoff_to_unit_id_team', type_='foreignkey')
                batch_op.drop_index('ix_handoff_to_unit_id')
                batch_op.drop_column('to_unit_id')
            if table == 'team':
                batch_op.drop_column('urgent_first_contact_hours')
                batch_op.drop_column('first_contact_hours')
                batch_op.drop_column('recipient', existing_type=_enum(NEW_RECIPIENTS, 'recipient', 10))
                batch_op.alter_column('kind', existing_type=_enum(NEW_KINDS, 'teamkind', 10), type_=_enum(OLD_KINDS, 'teamkind', 10), existing_nullable=False)
            batch_op.drop_column('kommun_id')
    with op.batch_alter_table('login_session') as batch_op:
        batch_op.drop_constraint('fk_login_session_kommun_id_kommun', type_='foreignkey')
        batch_op.drop_column('kommun_id')
    connection.execute(sa.text("DELETE FROM consent_recipient WHERE recipient IN ('exit', 'social')"))
    with op.batch_alter_table('consent_recipient') as batch_op:
        batch_op.alter_column('recipient', existing_type=_enum(NEW_RECIPIENTS, 'recipient', 10), type_=_enum(OLD_RECIPIENTS, 'recipient', 10), existing_nullable=False)
    connection.execute(sa.text("DELETE FROM \"user\" WHERE role = 'operator'"))
    with op.batch_alter_table('user') as batch_op:
        batch_op.alter_column('role', existing_type=_enum(NEW_ROLES, 'role', 20), type_=_enum(OLD_ROLES, 'role', 20), existing_nullable=False)
    op.drop_table('kommun_member')
    op.drop_table('kommun')
