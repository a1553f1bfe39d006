"""Delegations (ủy quyền: KT, TL, TUQ) and who an outgoing document was signed for.

Revision ID: db03784773b8
Revises: 4d9218ba2eb1
Create Date: 2026-11-26 03:00:48.333667
"""
from alembic import op
import sqlalchemy as sa


revision = 'db03784773b8'
down_revision = '4d9218ba2eb1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('delegations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('from_user_id', sa.String(length=36), nullable=False),
    sa.Column('to_user_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=3), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('document_types', sa.JSON(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=False),
    sa.Column('via_id', sa.String(length=36), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_delegations_from_user_id_users')),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_delegations_to_user_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_delegations_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delegations'))
    )
    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegations_from_user_id'), ['from_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegations_to_user_id'), ['to_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegations_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('outgoing_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signed_for', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('signed_as', sa.String(length=3), nullable=True))



def downgrade():
    with op.batch_alter_table('outgoing_documents', schema=None) as batch_op:
        batch_op.drop_column('signed_as')
        batch_op.drop_column('signed_for')

    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegations_unit_id'))
        batch_op.drop_index(batch_op.f('ix_delegations_to_user_id'))
        batch_op.drop_index(batch_op.f('ix_delegations_from_user_id'))

    op.drop_table('delegations')
