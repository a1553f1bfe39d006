"""Whether an outgoing draft is going through its unit's approval chain.

Revision ID: d014560cd3bc
Revises: dcae9e0191e7
Create Date: 2026-11-26 03:17:57.293514
"""
from alembic import op
import sqlalchemy as sa


revision = 'd014560cd3bc'
down_revision = 'dcae9e0191e7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_approval_chain', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('outgoing_documents', schema=None) as batch_op:
        batch_op.drop_column('in_approval_chain')

