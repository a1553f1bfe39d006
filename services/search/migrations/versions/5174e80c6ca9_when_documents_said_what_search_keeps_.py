"""when documents said what search keeps of each document

Revision ID: 5174e80c6ca9
Revises: b675bac63b83
Create Date: 2026-11-26 05:15:48.816180
"""
from alembic import op
import sqlalchemy as sa


revision = '5174e80c6ca9'
down_revision = 'b675bac63b83'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('source_at')

