"""performance at national scale: each contact carries its shift's team (a team's contacts are
one index range), indexes for a team's contacts by time and by day, for a team's shifts by time,
for the shifts out now and for a youth's latest risk marking

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

CONTACTS = ('anonymous_contact', 'identified_contact')
OPEN = "ended_at IS NULL"


def upgrade():
    for table in CONTACTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        # the table names are this migration's own
        op.execute(
            f"UPDATE {table} SET team_id = "  # noqa: S608
            f"(SELECT shift.team_id FROM shift WHERE shift.id = {table}.shift_id)"
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('team_id', existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_team_id_team'), 'team', ['team_id'], ['id'])
            batch_op.create_index(f'ix_{table}_team_id_occurred_at_public_id', ['team_id', 'occurred_at', 'public_id'], unique=False)
            batch_op.create_index(f'ix_{table}_team_id_occurred_on', ['team_id', 'occurred_on'], unique=False)
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index('ix_shift_open', ['id'], unique=False, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.create_index('ix_shift_team_id_started_at', ['team_id', 'started_at', 'area_id'], unique=False)
        batch_op.drop_index('ix_shift_team_id')
    with op.batch_alter_table('risk_marking', schema=None) as batch_op:
        batch_op.create_index('ix_risk_marking_youth_id_id', ['youth_id', 'id'], unique=False)
        batch_op.drop_index('ix_risk_marking_youth_id')


def downgrade():
    with op.batch_alter_table('risk_marking', schema=None) as batch_op:
        batch_op.create_index('ix_risk_marking_youth_id', ['youth_id'], unique=False)
        batch_op.drop_index('ix_risk_marking_youth_id_id')
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index('ix_shift_team_id', ['team_id'], unique=False)
        batch_op.drop_index('ix_shift_team_id_started_at')
        batch_op.drop_index('ix_shift_open', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    for table in CONTACTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_team_id_occurred_on')
            batch_op.drop_index(f'ix_{table}_team_id_occurred_at_public_id')
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_team_id_team'), type_='foreignkey')
            batch_op.drop_column('team_id')
