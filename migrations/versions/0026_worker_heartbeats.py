"""when the background workers last ran (the first-contact clock, the mail worker), for
`flask ops check` and the metrics

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 13:30:00

"""
from alembic import op
import sqlalchemy as sa

import outreach.clock


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('worker_beat',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('last_run_at', outreach.clock.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_beat'))
    )


def downgrade():
    op.drop_table('worker_beat')
