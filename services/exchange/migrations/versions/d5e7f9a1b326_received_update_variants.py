"""received updates told apart: a variant in the received documents' key

An agency may update one document several times (edoc of type 2, one DocumentId): each
update is a received document of its own, keyed by its package's sha256.

Revision ID: d5e7f9a1b326
Revises: c4d6e8f0a215
Create Date: 2026-12-07 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd5e7f9a1b326'
down_revision = 'c4d6e8f0a215'
branch_labels = None
depends_on = None

UNIQUE = 'uq_received_documents_edoc_document_id'


def upgrade():
    with op.batch_alter_table('received_documents') as batch:
        batch.add_column(sa.Column('variant', sa.String(length=64), nullable=False,
                                   server_default=''))
        batch.drop_constraint(UNIQUE, type_='unique')
        batch.create_unique_constraint(
            UNIQUE, ['edoc_document_id', 'to_organ_id', 'business_type', 'variant'])


def downgrade():
    with op.batch_alter_table('received_documents') as batch:
        batch.drop_constraint(UNIQUE, type_='unique')
        batch.create_unique_constraint(
            UNIQUE, ['edoc_document_id', 'to_organ_id', 'business_type'])
        batch.drop_column('variant')
