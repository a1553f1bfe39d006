"""reindex runs

Revision ID: 85adeb09396f
Revises: e55d20476cc2
Create Date: 2026-11-26 10:01:25.308515
"""
from alembic import op
import sqlalchemy as sa


revision = '85adeb09396f'
down_revision = 'e55d20476cc2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reindex_runs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('phase', sa.String(length=16), nullable=True),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=True),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reindex_runs'))
    )
    with op.batch_alter_table('reindex_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reindex_runs_state'), ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('reindex_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reindex_runs_state'))

    op.drop_table('reindex_runs')
