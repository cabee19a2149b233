"""refused access: who asked for a record out of their scope, when, its kind and the route
(outreach/refusals.py)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 07:40:00

"""
from alembic import op
import sqlalchemy as sa

import outreach.clock


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'refused_access',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('occurred_at', outreach.clock.UTCDateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kommun_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('route', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['kommun_id'], ['kommun.id'], name=op.f('fk_refused_access_kommun_id_kommun')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_refused_access_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refused_access')),
    )
    with op.batch_alter_table('refused_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refused_access_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_refused_access_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('refused_access')
