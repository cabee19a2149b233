"""mail the SMTP server refused for good, or that failed every retry, is set aside as a dead
letter for the admin instead of being retried for ever

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa

import outreach.clock


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dead_at', outreach.clock.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_column('dead_at')
