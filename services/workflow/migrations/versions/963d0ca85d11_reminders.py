"""Reminders and overdue alerts sent (one row each, so every one is sent once), and who
is told about each part.

Revision ID: 963d0ca85d11
Revises: abc169e70716
Create Date: 2026-11-26 02:37:46.897358
"""
from alembic import op
import sqlalchemy as sa


revision = '963d0ca85d11'
down_revision = 'abc169e70716'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminders',
    sa.Column('work_item_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['work_item_id'], ['work_items.id'], name=op.f('fk_reminders_work_item_id_work_items')),
    sa.PrimaryKeyConstraint('work_item_id', 'kind', name=op.f('pk_reminders'))
    )
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_user_ids', sa.JSON(), nullable=False,
                                      server_default='[]'))



def downgrade():
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_column('notify_user_ids')

    op.drop_table('reminders')
