"""a report of concern is delivered to the kommun's intake unit inside Outreach, which
acknowledges receipt (when and who); notifications and mail may be about a report. Reports
sent before stay "sent on paper" (no unit)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 04:26:25

"""
from alembic import op
import sqlalchemy as sa

import outreach.clock


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notification_report_id_report_of_concern'), 'report_of_concern', ['report_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key('fk_notification_report_id_kommun', 'report_of_concern', ['report_id', 'kommun_id'], ['id', 'kommun_id'], ondelete='CASCADE')

    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_mail_report_id'), ['report_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_mail_report_id_report_of_concern'), 'report_of_concern', ['report_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key('fk_outbox_mail_report_id_kommun', 'report_of_concern', ['report_id', 'kommun_id'], ['id', 'kommun_id'], ondelete='CASCADE')

    with op.batch_alter_table('report_of_concern', schema=None) as batch_op:
        batch_op.add_column(sa.Column('to_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('received_at', outreach.clock.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('received_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_report_of_concern_to_unit_id'), ['to_unit_id'], unique=False)
        batch_op.create_foreign_key('fk_report_of_concern_to_unit_id_kommun', 'team', ['to_unit_id', 'kommun_id'], ['id', 'kommun_id'])
        batch_op.create_foreign_key(batch_op.f('fk_report_of_concern_received_by_id_user'), 'user', ['received_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_report_of_concern_to_unit_id_team'), 'team', ['to_unit_id'], ['id'])


def downgrade():
    with op.batch_alter_table('report_of_concern', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_report_of_concern_to_unit_id_team'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_report_of_concern_received_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint('fk_report_of_concern_to_unit_id_kommun', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_report_of_concern_to_unit_id'))
        batch_op.drop_column('received_by_id')
        batch_op.drop_column('received_at')
        batch_op.drop_column('to_unit_id')

    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_mail_report_id_kommun', type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_outbox_mail_report_id_report_of_concern'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_mail_report_id'))
        batch_op.drop_column('report_id')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint('fk_notification_report_id_kommun', type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_notification_report_id_report_of_concern'), type_='foreignkey')
        batch_op.drop_column('report_id')
