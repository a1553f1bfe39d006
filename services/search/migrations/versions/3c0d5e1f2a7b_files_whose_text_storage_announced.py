"""files whose text storage announced before any document had them

Revision ID: 3c0d5e1f2a7b
Revises: 85adeb09396f
Create Date: 2026-12-07 12:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '3c0d5e1f2a7b'
down_revision = '85adeb09396f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announced_texts',
    sa.Column('file_id', sa.String(length=36), nullable=False),
    sa.Column('announced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('file_id', name=op.f('pk_announced_texts'))
    )


def downgrade():
    op.drop_table('announced_texts')
