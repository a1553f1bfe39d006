"""The copies register: bản sao (sao y, sao lục, trích sao) and their one number series.

Revision ID: 4d9218ba2eb1
Revises: 4684d75fef03
Create Date: 2026-11-26 01:50:11.496832
"""
from alembic import op
import sqlalchemy as sa


revision = '4d9218ba2eb1'
down_revision = '4684d75fef03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_copies',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('source_id', sa.String(length=36), nullable=False),
    sa.Column('source_direction', sa.String(length=20), nullable=False),
    sa.Column('form', sa.String(length=2), nullable=False),
    sa.Column('register_id', sa.String(length=36), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('code_number', sa.String(length=11), nullable=False),
    sa.Column('code_notation', sa.String(length=30), nullable=False),
    sa.Column('copied_date', sa.Date(), nullable=False),
    sa.Column('excerpt', sa.String(length=1000), nullable=True),
    sa.Column('to_places', sa.String(length=1000), nullable=True),
    sa.Column('signer_position', sa.String(length=100), nullable=True),
    sa.Column('signer_full_name', sa.String(length=50), nullable=True),
    sa.Column('page_amount', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('confidentiality', sa.String(length=20), nullable=False),
    sa.Column('file_ids', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['register_id'], ['registers.id'], name=op.f('fk_document_copies_register_id_registers')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_document_copies_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_copies')),
    sa.UniqueConstraint('register_id', 'number', name=op.f('uq_document_copies_register_id'))
    )
    with op.batch_alter_table('document_copies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_copies_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_copies_unit_id'), ['unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('document_copies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_copies_unit_id'))
        batch_op.drop_index(batch_op.f('ix_document_copies_source_id'))

    op.drop_table('document_copies')
