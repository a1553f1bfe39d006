"""Assignments to people or units with deadlines and instructions, the processing's events
(its history), and an outbox for workflow's events.

Revision ID: abc169e70716
Revises: edd2de5f0d36
Create Date: 2026-11-26 02:30:49.219663
"""
from alembic import op
import sqlalchemy as sa


revision = 'abc169e70716'
down_revision = 'edd2de5f0d36'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_published_at'), ['published_at'], unique=False)

    op.create_table('processing_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('processing_id', sa.String(length=36), nullable=False),
    sa.Column('work_item_id', sa.String(length=36), nullable=True),
    sa.Column('actor_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['processing_id'], ['processings.id'], name=op.f('fk_processing_events_processing_id_processings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processing_events'))
    )
    with op.batch_alter_table('processing_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processing_events_processing_id'), ['processing_id'], unique=False)

    with op.batch_alter_table('processings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidentiality', sa.String(length=20), nullable=False,
                                      server_default='none'))
        batch_op.add_column(sa.Column('instruction', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('reply_document_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('parent_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('due_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('instruction', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('assigned_by', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('progress', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('result_note', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('return_reason', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('reply_document_id', sa.String(length=36), nullable=True))
        batch_op.alter_column('user_id',
               existing_type=sa.VARCHAR(length=36),
               nullable=True)
        batch_op.drop_constraint(batch_op.f('uq_work_items_processing_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_work_items_assigned_by'), ['assigned_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_items_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_items_unit_id'), ['unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_items_unit_id'))
        batch_op.drop_index(batch_op.f('ix_work_items_parent_id'))
        batch_op.drop_index(batch_op.f('ix_work_items_assigned_by'))
        batch_op.create_unique_constraint(batch_op.f('uq_work_items_processing_id'), ['processing_id', 'user_id', 'kind'])
        batch_op.alter_column('user_id',
               existing_type=sa.VARCHAR(length=36),
               nullable=False)
        batch_op.drop_column('reply_document_id')
        batch_op.drop_column('return_reason')
        batch_op.drop_column('result_note')
        batch_op.drop_column('progress')
        batch_op.drop_column('assigned_by')
        batch_op.drop_column('instruction')
        batch_op.drop_column('due_date')
        batch_op.drop_column('parent_id')
        batch_op.drop_column('unit_id')

    with op.batch_alter_table('processings', schema=None) as batch_op:
        batch_op.drop_column('completed_at')
        batch_op.drop_column('reply_document_id')
        batch_op.drop_column('instruction')
        batch_op.drop_column('confidentiality')

    with op.batch_alter_table('processing_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processing_events_processing_id'))

    op.drop_table('processing_events')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_published_at'))

    op.drop_table('outbox')
