"""Who is named on a document by its processing (people and units that may see it).

Revision ID: dcae9e0191e7
Revises: db03784773b8
Create Date: 2026-11-26 03:16:30.589257
"""
from alembic import op
import sqlalchemy as sa


revision = 'dcae9e0191e7'
down_revision = 'db03784773b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_access',
    sa.Column('document_id', sa.String(length=36), nullable=False),
    sa.Column('principal', sa.String(length=48), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('document_id', 'principal', name=op.f('pk_document_access'))
    )
    with op.batch_alter_table('document_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_access_principal'), ['principal'], unique=False)



def downgrade():
    with op.batch_alter_table('document_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_access_principal'))

    op.drop_table('document_access')
