"""Outgoing documents and their versions; dossiers and file links take either direction.

Revision ID: 4684d75fef03
Revises: 7e7709753222
Create Date: 2026-11-26 01:41:57.551414
"""
from alembic import op
import sqlalchemy as sa


revision = '4684d75fef03'
down_revision = '7e7709753222'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outgoing_documents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('organ_id', sa.String(length=35), nullable=True),
    sa.Column('organ_name', sa.String(length=200), nullable=False),
    sa.Column('document_type', sa.String(length=10), nullable=False),
    sa.Column('normative', sa.Boolean(), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('language', sa.String(length=30), nullable=False),
    sa.Column('page_amount', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('signer_position', sa.String(length=100), nullable=True),
    sa.Column('signer_full_name', sa.String(length=50), nullable=True),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('urgency', sa.String(length=20), nullable=False),
    sa.Column('confidentiality', sa.String(length=20), nullable=False),
    sa.Column('issued_amount', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('keeper', sa.String(length=200), nullable=True),
    sa.Column('file_ids', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.Column('state_reason', sa.String(length=1000), nullable=True),
    sa.Column('register_id', sa.String(length=36), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('code_number', sa.String(length=11), nullable=True),
    sa.Column('code_notation', sa.String(length=30), nullable=True),
    sa.Column('issued_date', sa.Date(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('signed_by', sa.String(length=36), nullable=True),
    sa.Column('drafted_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['register_id'], ['registers.id'], name=op.f('fk_outgoing_documents_register_id_registers')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_outgoing_documents_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_documents')),
    sa.UniqueConstraint('register_id', 'number', name=op.f('uq_outgoing_documents_register_id'))
    )
    with op.batch_alter_table('outgoing_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_documents_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_documents_unit_id'), ['unit_id'], unique=False)

    op.create_table('outgoing_versions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('document_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('file_ids', sa.JSON(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['outgoing_documents.id'], name=op.f('fk_outgoing_versions_document_id_outgoing_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_versions')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_outgoing_versions_document_id'))
    )
    with op.batch_alter_table('outgoing_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_versions_document_id'), ['document_id'], unique=False)

    with op.batch_alter_table('document_files', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_document_files_document_id_incoming_documents'), type_='foreignkey')

    with op.batch_alter_table('dossier_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('direction', sa.String(length=20), nullable=False,
                                      server_default='incoming'))
        batch_op.drop_constraint(batch_op.f('fk_dossier_documents_document_id_incoming_documents'), type_='foreignkey')



def downgrade():
    with op.batch_alter_table('dossier_documents', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_dossier_documents_document_id_incoming_documents'), 'incoming_documents', ['document_id'], ['id'])
        batch_op.drop_column('direction')

    with op.batch_alter_table('document_files', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_document_files_document_id_incoming_documents'), 'incoming_documents', ['document_id'], ['id'])

    with op.batch_alter_table('outgoing_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_versions_document_id'))

    op.drop_table('outgoing_versions')
    with op.batch_alter_table('outgoing_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_documents_unit_id'))
        batch_op.drop_index(batch_op.f('ix_outgoing_documents_state'))

    op.drop_table('outgoing_documents')
