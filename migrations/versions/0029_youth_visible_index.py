"""the youths a user may see read from one index (team, kommun, protected identity, id)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05 22:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.create_index(
            'ix_youth_visible', ['team_id', 'kommun_id', 'protected_identity', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.drop_index('ix_youth_visible')
