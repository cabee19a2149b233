"""the contacts counted per team, day, area and measure (outreach/youths/tallies.py), filled
from the contacts there are

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 21:06:52.298736

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def _anonymous(measure: str, value: str, joined: str = "", code: str = "") -> str:
    return f"""
    SELECT c.kommun_id, c.team_id, c.occurred_on, s.area_id, {measure}, {value}
    FROM anonymous_contact c {joined} JOIN shift s ON s.id = c.shift_id
    GROUP BY c.kommun_id, c.team_id, c.occurred_on, s.area_id{code}"""


def _named(measure: str, joined: str = "") -> str:
    return f"""
    SELECT c.kommun_id, c.team_id, c.occurred_on, s.area_id, '{measure}', count(*)
    FROM identified_contact c {joined} JOIN shift s ON s.id = c.shift_id
    WHERE c.corrects_id IS NULL
    GROUP BY c.kommun_id, c.team_id, c.occurred_on, s.area_id"""


#: The same count as outreach.youths.tallies.counted() as it was written with this revision.
FILL = "INSERT INTO contact_tally (kommun_id, team_id, day, area_id, measure, n)"
FILL += " UNION ALL ".join(
    [
        _anonymous("'contacts'", "count(*)"),
        _anonymous("'youths'", "sum(c.youth_count)"),
        _anonymous(
            "'count:' || x.category",
            "sum(x.count)",
            "JOIN contact_count x ON x.contact_id = c.id",
            ", x.category",
        ),
        _anonymous(
            "'topic:' || x.topic",
            "count(*)",
            "JOIN contact_topic x ON x.contact_id = c.id",
            ", x.topic",
        ),
        _anonymous(
            "'action:' || x.action",
            "count(*)",
            "JOIN contact_action x ON x.contact_id = c.id",
            ", x.action",
        ),
        _named("named"),
        _named("meetings", "JOIN identified_contact_youth x ON x.contact_id = c.id"),
    ]
)


def upgrade():
    op.create_table('contact_tally',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=30), nullable=False),
    sa.Column('kommun_id', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id', 'kommun_id'], ['area.id', 'area.kommun_id'], name='fk_contact_tally_area_id_kommun'),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_contact_tally_area_id_area')),
    sa.ForeignKeyConstraint(['kommun_id'], ['kommun.id'], name=op.f('fk_contact_tally_kommun_id_kommun')),
    sa.ForeignKeyConstraint(['team_id', 'kommun_id'], ['team.id', 'team.kommun_id'], name='fk_contact_tally_team_id_kommun'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_contact_tally_team_id_team')),
    sa.PrimaryKeyConstraint('team_id', 'day', 'area_id', 'measure', name=op.f('pk_contact_tally'))
    )
    with op.batch_alter_table('contact_tally', schema=None) as batch_op:
        batch_op.create_index('ix_contact_tally_kommun_id_day', ['kommun_id', 'day'], unique=False)
        batch_op.create_index(
            'ix_contact_tally_team_sums',
            ['team_id', 'day', 'measure', 'area_id', 'n'],
            unique=False,
        )
    op.execute(FILL)


def downgrade():
    with op.batch_alter_table('contact_tally', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_tally_team_sums')
        batch_op.drop_index('ix_contact_tally_kommun_id_day')

    op.drop_table('contact_tally')
