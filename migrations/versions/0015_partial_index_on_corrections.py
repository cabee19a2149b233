"""only corrections are indexed by the entry they correct: SQLite's planner read a team's
named contacts through the index of every entry's correction and then sorted them

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

CORRECTION = "corrects_id IS NOT NULL"


def upgrade():
    with op.batch_alter_table('identified_contact', schema=None) as batch_op:
        batch_op.drop_index('ix_identified_contact_corrects_id')
        batch_op.create_index('ix_identified_contact_corrects_id', ['corrects_id'], unique=False, postgresql_where=sa.text(CORRECTION), sqlite_where=sa.text(CORRECTION))


def downgrade():
    with op.batch_alter_table('identified_contact', schema=None) as batch_op:
        batch_op.drop_index('ix_identified_contact_corrects_id', postgresql_where=sa.text(CORRECTION), sqlite_where=sa.text(CORRECTION))
        batch_op.create_index('ix_identified_contact_corrects_id', ['corrects_id'], unique=False)
