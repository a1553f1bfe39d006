"""unit rules, hour deadlines, document type of a processing

Revision ID: 8e2b36ea0a3c
Revises: ddc09b425010
Create Date: 2026-11-26 04:39:45.687107
"""
from alembic import op
import sqlalchemy as sa


revision = '8e2b36ea0a3c'
down_revision = 'ddc09b425010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unit_rules',
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('working_days', sa.JSON(), nullable=False),
    sa.Column('hours', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_unit_rules'))
    )
    with op.batch_alter_table('processings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_type', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_column('due_at')

    with op.batch_alter_table('processings', schema=None) as batch_op:
        batch_op.drop_column('due_at')
        batch_op.drop_column('document_type')

    op.drop_table('unit_rules')
