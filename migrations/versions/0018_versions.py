"""optimistic locking: the records people edit through forms (youths, reports of concern,
shifts) carry a version, raised with every update and checked in its WHERE clause, so two
saves of one row cannot both land

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 18:10:50

"""
from alembic import op
import sqlalchemy as sa

import outreach.clock


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_of_concern', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))



def downgrade():
    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('report_of_concern', schema=None) as batch_op:
        batch_op.drop_column('version')
