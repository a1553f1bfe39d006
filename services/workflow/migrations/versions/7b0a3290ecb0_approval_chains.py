"""Approval chains of outgoing drafts per unit and document type, and the step an
approval belongs to.

Revision ID: 7b0a3290ecb0
Revises: 963d0ca85d11
Create Date: 2026-11-26 02:40:39.646472
"""
from alembic import op
import sqlalchemy as sa


revision = '7b0a3290ecb0'
down_revision = '963d0ca85d11'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('approval_chains',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('document_type', sa.String(length=10), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_chains')),
    sa.UniqueConstraint('unit_id', 'document_type', name=op.f('uq_approval_chains_unit_id'))
    )
    with op.batch_alter_table('approval_chains', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_chains_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step', sa.Integer(), nullable=True))

    with op.batch_alter_table('processings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approval_steps', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('processings', schema=None) as batch_op:
        batch_op.drop_column('approval_steps')

    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_column('step')

    with op.batch_alter_table('approval_chains', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_chains_unit_id'))

    op.drop_table('approval_chains')
