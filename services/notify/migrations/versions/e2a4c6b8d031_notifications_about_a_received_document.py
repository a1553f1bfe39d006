"""notifications about a document received from another agency

Revision ID: e2a4c6b8d031
Revises: d7e19661cef7
Create Date: 2026-12-07 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e2a4c6b8d031'
down_revision = 'd7e19661cef7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('received_id', sa.String(length=36), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.drop_column('received_id')
