"""PostgreSQL learns that a team (an area, a receiving unit) belongs to one kommun: statistics
of the functional dependency, so that a page's prepared statement, planned once for any team,
does not take "this kommun and this team" for a fortieth of the team's rows and choose a plan
for a handful (docs/performance.md). SQLite has no such statistics: nothing to do there.
And a unit's handoffs by status: the inbox's handled handoffs are a few of a large unit's
thousands, and were found by reading all of the unit's. It takes the place of the index of a
unit's handoffs, which is its first column.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 01:00:00

"""
from alembic import op


#: Each table's columns that name a part of one kommun, beside its kommun_id.
DEPENDENT = {
    "anonymous_contact": ("team_id",),
    "identified_contact": ("team_id",),
    "shift": ("team_id", "area_id"),
    "youth": ("team_id",),
    "contact_tally": ("team_id", "area_id"),
    "membership": ("team_id",),
    "handoff": ("to_unit_id", "from_team_id"),
    "report_of_concern": ("to_unit_id",),
    "place": ("area_id",),
}

# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def _name(table: str) -> str:
    return f"st_{table}_kommun"


def upgrade():
    op.create_index("ix_handoff_unit_status", "handoff", ["to_unit_id", "status"])
    op.drop_index("ix_handoff_to_unit_id", table_name="handoff")
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in DEPENDENT.items():
        op.execute(
            f"CREATE STATISTICS {_name(table)} (dependencies) "
            f"ON {', '.join(columns)}, kommun_id FROM {table}"
        )
        op.execute(f"ANALYZE {table}")


def downgrade():
    op.create_index("ix_handoff_to_unit_id", "handoff", ["to_unit_id"])
    op.drop_index("ix_handoff_unit_status", table_name="handoff")
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in DEPENDENT:
        op.execute(f"DROP STATISTICS {_name(table)}")
