"""the login limits counted in the database, where every process sees them
(outreach/rate_limits.py)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 07:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_count',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_count')),
    )


def downgrade():
    op.drop_table('rate_count')
