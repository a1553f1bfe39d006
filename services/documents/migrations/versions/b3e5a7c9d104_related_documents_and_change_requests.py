"""related documents (replacement, correction) and change requests

Revision ID: b3e5a7c9d104
Revises: 12337b45a514
Create Date: 2026-12-07 09:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b3e5a7c9d104'
down_revision = '12337b45a514'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_documents') as batch:
        batch.add_column(sa.Column('related_kind', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('related_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('replaced_by_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('updates', sa.JSON(), nullable=True))
        batch.create_index('ix_outgoing_documents_related_id', ['related_id'])
    with op.batch_alter_table('incoming_documents') as batch:
        batch.add_column(sa.Column('related_kind', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('related_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('replaced_by_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('change_request', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('change_answers', sa.JSON(), nullable=True))
        batch.create_index('ix_incoming_documents_related_id', ['related_id'])


def downgrade():
    with op.batch_alter_table('incoming_documents') as batch:
        batch.drop_index('ix_incoming_documents_related_id')
        for column in ('change_answers', 'change_request', 'replaced_by_id', 'related_id',
                       'related_kind'):
            batch.drop_column(column)
    with op.batch_alter_table('outgoing_documents') as batch:
        batch.drop_index('ix_outgoing_documents_related_id')
        for column in ('updates', 'replaced_by_id', 'related_id', 'related_kind'):
            batch.drop_column(column)
