"""SAML 2.0 login: the provider's metadata, Outreach's key pair for the kommun, and the
assertions already used (a replay is refused)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 14:00:00

"""
from alembic import op
import sqlalchemy as sa

import outreach.clock
import outreach.crypto


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seen_assertion',
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', outreach.clock.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['identity_provider.id'], name=op.f('fk_seen_assertion_provider_id_identity_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seen_assertion'))
    )
    with op.batch_alter_table('seen_assertion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seen_assertion_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('identity_provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idp_metadata', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('sp_private_key', outreach.crypto.EncryptedText(), nullable=True))
        batch_op.add_column(sa.Column('sp_certificate', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('identity_provider', schema=None) as batch_op:
        batch_op.drop_column('sp_certificate')
        batch_op.drop_column('sp_private_key')
        batch_op.drop_column('idp_metadata')

    with op.batch_alter_table('seen_assertion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seen_assertion_expires_at'))

    op.drop_table('seen_assertion')
