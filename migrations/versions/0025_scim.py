"""SCIM: the bearer token with which a kommun's identity provider provisions users and groups,
and the groups it keeps here with their members

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 13:30:00

"""
from alembic import op
import sqlalchemy as sa

import outreach.clock


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scim_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kommun_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', outreach.clock.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', outreach.clock.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kommun_id'], ['kommun.id'], name=op.f('fk_scim_group_kommun_id_kommun')),
    sa.ForeignKeyConstraint(['provider_id', 'kommun_id'], ['identity_provider.id', 'identity_provider.kommun_id'], name='fk_scim_group_provider_id_kommun', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['identity_provider.id'], name=op.f('fk_scim_group_provider_id_identity_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scim_group')),
    sa.UniqueConstraint('id', 'kommun_id', name='uq_scim_group_id_kommun_id')
    )
    with op.batch_alter_table('scim_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scim_group_provider_id'), ['provider_id'], unique=False)

    op.create_table('scim_group_member',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kommun_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id', 'kommun_id'], ['scim_group.id', 'scim_group.kommun_id'], name='fk_scim_group_member_group_id_kommun', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['scim_group.id'], name=op.f('fk_scim_group_member_group_id_scim_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['kommun_id'], ['kommun.id'], name=op.f('fk_scim_group_member_kommun_id_kommun')),
    sa.ForeignKeyConstraint(['user_id', 'kommun_id'], ['kommun_member.user_id', 'kommun_member.kommun_id'], name='fk_scim_group_member_user_id_kommun', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_scim_group_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_scim_group_member'))
    )
    with op.batch_alter_table('external_identity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=255), nullable=True))
    with op.batch_alter_table('identity_provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scim_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('scim_token_created_at', outreach.clock.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_identity_provider_scim_token_hash'), ['scim_token_hash'])



def downgrade():
    with op.batch_alter_table('identity_provider', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_identity_provider_scim_token_hash'), type_='unique')
        batch_op.drop_column('scim_token_created_at')
        batch_op.drop_column('scim_token_hash')

    with op.batch_alter_table('external_identity', schema=None) as batch_op:
        batch_op.drop_column('external_id')
    op.drop_table('scim_group_member')
    with op.batch_alter_table('scim_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scim_group_provider_id'))

    op.drop_table('scim_group')
