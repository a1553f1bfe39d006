"""Creating requests already answered, so that a retry gets the same answer.

Revision ID: a7c3e9d2f410
Revises: a7c3e1f05b92
Create Date: 2026-12-06 20:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c3e9d2f410'
down_revision = 'a7c3e1f05b92'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idempotent_requests',
        sa.Column('caller_id', sa.String(length=64), nullable=False),
        sa.Column('operation', sa.String(length=40), nullable=False),
        sa.Column('key', sa.String(length=210), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('response', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('caller_id', 'operation', 'key',
                                name=op.f('pk_idempotent_requests')))
    with op.batch_alter_table('idempotent_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotent_requests_created_at'), ['created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('idempotent_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotent_requests_created_at'))
    op.drop_table('idempotent_requests')
