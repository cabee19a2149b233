"""identity providers: a kommun's OpenID Connect (or SAML) provider, the groups at it that
give a role and a team in Outreach, and who each user is at it

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 12:45:00

"""
from alembic import op
import sqlalchemy as sa

import outreach.clock
import outreach.crypto


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('identity_provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kommun_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('oidc', 'saml', name='providerkind', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('client_secret', outreach.crypto.EncryptedText(), nullable=True),
    sa.Column('subject_claim', sa.String(length=255), nullable=False),
    sa.Column('username_claim', sa.String(length=255), nullable=False),
    sa.Column('groups_claim', sa.String(length=255), nullable=False),
    sa.Column('mfa_values', sa.String(length=1000), nullable=False),
    sa.Column('local_login', sa.Boolean(), nullable=False),
    sa.Column('is_enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', outreach.clock.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kommun_id'], ['kommun.id'], name=op.f('fk_identity_provider_kommun_id_kommun')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_provider')),
    sa.UniqueConstraint('id', 'kommun_id', name='uq_identity_provider_id_kommun_id'),
    sa.UniqueConstraint('kommun_id', name=op.f('uq_identity_provider_kommun_id'))
    )
    op.create_table('external_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kommun_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', outreach.clock.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kommun_id'], ['kommun.id'], name=op.f('fk_external_identity_kommun_id_kommun')),
    sa.ForeignKeyConstraint(['provider_id', 'kommun_id'], ['identity_provider.id', 'identity_provider.kommun_id'], name='fk_external_identity_provider_id_kommun', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['identity_provider.id'], name=op.f('fk_external_identity_provider_id_identity_provider'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id', 'kommun_id'], ['kommun_member.user_id', 'kommun_member.kommun_id'], name='fk_external_identity_user_id_kommun', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_external_identity_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_identity')),
    sa.UniqueConstraint('provider_id', 'subject', name=op.f('uq_external_identity_provider_id_subject'))
    )
    with op.batch_alter_table('external_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_identity_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('provider_session', outreach.crypto.EncryptedText(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_login_session_provider_id_identity_provider'), 'identity_provider', ['provider_id'], ['id'], ondelete='SET NULL')

    op.create_table('group_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kommun_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('field_worker', 'team_lead', 'caseworker', 'admin', 'operator', 'coordinator', name='role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['kommun_id'], ['kommun.id'], name=op.f('fk_group_mapping_kommun_id_kommun')),
    sa.ForeignKeyConstraint(['provider_id', 'kommun_id'], ['identity_provider.id', 'identity_provider.kommun_id'], name='fk_group_mapping_provider_id_kommun', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['identity_provider.id'], name=op.f('fk_group_mapping_provider_id_identity_provider'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id', 'kommun_id'], ['team.id', 'team.kommun_id'], name='fk_group_mapping_team_id_kommun', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_group_mapping_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_mapping')),
    sa.UniqueConstraint('provider_id', 'group', 'team_id', name=op.f('uq_group_mapping_provider_id_group_team_id'))
    )
    with op.batch_alter_table('group_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_mapping_provider_id'), ['provider_id'], unique=False)



def downgrade():
    with op.batch_alter_table('group_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_mapping_provider_id'))

    op.drop_table('group_mapping')
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_login_session_provider_id_identity_provider'), type_='foreignkey')
        batch_op.drop_column('provider_session')
        batch_op.drop_column('provider_id')
    with op.batch_alter_table('external_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_identity_user_id'))

    op.drop_table('external_identity')
    op.drop_table('identity_provider')
