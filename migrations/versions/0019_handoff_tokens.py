"""the handoff form's one-time token joins every other creating form's (form_submission), and
the handoff's own token column goes. A handoff form shown before the upgrade carries its token
under the old name: sent after it, it is a new submission, refused while the youth's first
handoff is open

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 14:19:38

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

handoff = sa.table(
    'handoff',
    sa.column('public_id', sa.String),
    sa.column('submission_token', sa.String),
)


def upgrade():
    with op.batch_alter_table('handoff', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_handoff_submission_token'), type_='unique')
        batch_op.drop_column('submission_token')


def downgrade():
    with op.batch_alter_table('handoff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_token', sa.VARCHAR(length=64), nullable=True))
    op.execute(
        handoff.update().values(
            submission_token=sa.literal('handoff-', sa.String) + handoff.c.public_id
        )
    )
    with op.batch_alter_table('handoff', schema=None) as batch_op:
        batch_op.alter_column('submission_token', existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_handoff_submission_token'), ['submission_token'])
