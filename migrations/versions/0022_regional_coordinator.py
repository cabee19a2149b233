"""the regional coordinator (regional samordnare), a role a kommun's admin gives: sees the
anonymous tallies of every kommun and nothing else

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

OLD_ROLES = ('field_worker', 'team_lead', 'caseworker', 'admin', 'operator')
NEW_ROLES = (*OLD_ROLES, 'coordinator')


def _enum(values):
    return sa.Enum(*values, name='role', native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.alter_column('role', existing_type=_enum(OLD_ROLES), type_=_enum(NEW_ROLES), existing_nullable=False)


def downgrade():
    # a coordinator's account goes with the role (they recorded nothing but their logins)
    op.execute(sa.text("DELETE FROM \"user\" WHERE role = 'coordinator'"))
    with op.batch_alter_table('user') as batch_op:
        batch_op.alter_column('role', existing_type=_enum(NEW_ROLES), type_=_enum(OLD_ROLES), existing_nullable=False)
