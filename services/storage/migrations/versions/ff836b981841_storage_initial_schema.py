"""storage initial schema: files, outbox, processed_events

Revision ID: ff836b981841
Revises:
Create Date: 2026-11-25 20:31:26.379920
"""
from alembic import op
import sqlalchemy as sa


revision = 'ff836b981841'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'files',
        sa.Column('file_id', sa.String(length=36), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('declared_content_type', sa.String(length=255), nullable=False),
        sa.Column('declared_size', sa.BigInteger(), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=True),
        sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
        sa.Column('rejection', sa.Text(), nullable=True),
        sa.Column('text_status', sa.String(length=16), server_default='pending',
                  nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('text_method', sa.String(length=16), nullable=True),
        # sa.false() renders per dialect: FALSE on PostgreSQL, 0 on SQLite
        sa.Column('text_truncated', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('text_error', sa.Text(), nullable=True),
        sa.Column('extraction_attempts', sa.Integer(), server_default=sa.text('0'),
                  nullable=False),
        sa.Column('extraction_started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('extracted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('uploaded_by', sa.String(length=100), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('stored_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('file_id', name=op.f('pk_files')),
    )
    op.create_index(op.f('ix_files_sha256'), 'files', ['sha256'], unique=False)
    op.create_index(op.f('ix_files_status_text_status'), 'files', ['status', 'text_status'],
                    unique=False)

    op.create_table(
        'outbox',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                  autoincrement=True, nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('event_type', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
        sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id')),
    )
    op.create_index(op.f('ix_outbox_published_at'), 'outbox', ['published_at'], unique=False)

    op.create_table(
        'processed_events',
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('handler', sa.String(length=100), nullable=False),
        sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('event_id', 'handler', name=op.f('pk_processed_events')),
    )


def downgrade():
    op.drop_table('processed_events')
    op.drop_index(op.f('ix_outbox_published_at'), table_name='outbox')
    op.drop_table('outbox')
    op.drop_index(op.f('ix_files_status_text_status'), table_name='files')
    op.drop_index(op.f('ix_files_sha256'), table_name='files')
    op.drop_table('files')
