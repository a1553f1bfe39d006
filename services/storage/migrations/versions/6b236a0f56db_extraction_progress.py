"""Extraction progress: pages read of pages to read, of a file's running attempt.

Revision ID: 6b236a0f56db
Revises: ff836b981841
Create Date: 2026-11-26 10:16:31.326903
"""
from alembic import op
import sqlalchemy as sa


revision = '6b236a0f56db'
down_revision = 'ff836b981841'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extraction_pages_done', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('extraction_pages_total', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.drop_column('extraction_pages_total')
        batch_op.drop_column('extraction_pages_done')
