"""updates sent per delivery, corrections received

Revision ID: c4d6e8f0a215
Revises: 44d784666a9e
Create Date: 2026-12-07 09:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4d6e8f0a215'
down_revision = '44d784666a9e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deliveries') as batch:
        batch.add_column(sa.Column('updates', sa.JSON(), nullable=True))
    with op.batch_alter_table('received_documents') as batch:
        batch.add_column(sa.Column('corrects_id', sa.String(length=36), nullable=True))


def downgrade():
    with op.batch_alter_table('received_documents') as batch:
        batch.drop_column('corrects_id')
    with op.batch_alter_table('deliveries') as batch:
        batch.drop_column('updates')
