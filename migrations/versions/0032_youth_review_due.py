"""each youth's review date of their current marking, kept with the youth: the start page's
overdue markings read a team's youths from one index, not every youth's latest marking

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 23:30:00

"""
import sqlalchemy as sa
from alembic import op


#: The review date of each youth's latest marking, unless it was withdrawn or says "none" (the
#: rule of risk.services.keep_review_due, which tests/risk/test_review_due.py holds it to).
BACKFILL = """
UPDATE youth SET review_due_on = (
    SELECT risk_marking.review_on FROM risk_marking
    WHERE risk_marking.id = (
        SELECT max(latest.id) FROM risk_marking AS latest WHERE latest.youth_id = youth.id
    )
    AND risk_marking.level != 'none'
    AND NOT EXISTS (
        SELECT 1 FROM risk_marking_withdrawal
        WHERE risk_marking_withdrawal.marking_id = risk_marking.id
    )
)
"""

# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_due_on', sa.Date(), nullable=True))
        batch_op.create_index(
            'ix_youth_review_due', ['team_id', 'kommun_id', 'review_due_on'], unique=False
        )
    op.execute(BACKFILL)


def downgrade():
    # not in a batch: on SQLite a batch would rebuild the table under the triggers that name it;
    # SQLite (3.35 and later) and PostgreSQL drop the column in place
    op.drop_index('ix_youth_review_due', table_name='youth')
    op.drop_column('youth', 'review_due_on')
