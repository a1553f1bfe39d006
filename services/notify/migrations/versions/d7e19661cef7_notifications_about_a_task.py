"""notifications about a task

Revision ID: d7e19661cef7
Revises: f85ca0f280a1
Create Date: 2026-11-26 05:07:24.008329
"""
from alembic import op
import sqlalchemy as sa


revision = 'd7e19661cef7'
down_revision = 'f85ca0f280a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_id', sa.String(length=36), nullable=True))



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('task_id')

