"""Task history (given, progress, sub-tasks, done, cancelled) and task reminders sent.

Revision ID: a553c4d4c4af
Revises: 8e2b36ea0a3c
Create Date: 2026-11-26 05:00:34.193072
"""
from alembic import op
import sqlalchemy as sa


revision = 'a553c4d4c4af'
down_revision = '8e2b36ea0a3c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('task_reminders',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_reminders_task_id_tasks')),
    sa.PrimaryKeyConstraint('task_id', 'kind', name=op.f('pk_task_reminders'))
    )
    op.create_table('task_updates',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_updates_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_updates'))
    )
    with op.batch_alter_table('task_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_updates_task_id'), ['task_id'], unique=False)
    # The history of tasks given before it was kept: when each was given and, if it has
    # ended, when and how (the latest note), so no task shows an empty history.
    op.execute("INSERT INTO task_updates (task_id, actor_id, action, percent, note, at) "
               "SELECT id, created_by, 'given', NULL, NULL, created_at FROM tasks")
    op.execute("INSERT INTO task_updates (task_id, actor_id, action, percent, note, at) "
               "SELECT id, CASE WHEN state = 'cancelled' THEN created_by ELSE assignee_id END, "
               "CASE WHEN state = 'cancelled' THEN 'cancelled' ELSE 'completed' END, "
               "progress, result_note, done_at FROM tasks WHERE done_at IS NOT NULL")



def downgrade():
    with op.batch_alter_table('task_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_updates_task_id'))

    op.drop_table('task_updates')
    op.drop_table('task_reminders')
