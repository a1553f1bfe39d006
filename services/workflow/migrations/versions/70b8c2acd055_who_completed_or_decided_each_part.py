"""who completed or decided each part

Revision ID: 70b8c2acd055
Revises: a553c4d4c4af
Create Date: 2026-11-26 05:34:33.225748
"""
from alembic import op
import sqlalchemy as sa


revision = '70b8c2acd055'
down_revision = 'a553c4d4c4af'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_by', sa.String(length=36), nullable=True))



def downgrade():
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_column('done_by')

