"""Administration per unit: the deployment-wide administrator flag, and alerts of
changes of rights to the heads of the units concerned.

Existing administrators of a top unit (no parent) administered everything before this
change; they become deployment-wide administrators so nobody is locked out. Every
other quản trị now administers their unit and the units below it only.

Revision ID: a7c31e5d2b90
Revises: a7c3e91b5d20
Create Date: 2026-12-06 21:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c31e5d2b90'
down_revision = 'a7c3e91b5d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('system_admin', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute(
        "UPDATE users SET system_admin = TRUE WHERE id IN ("
        " SELECT m.user_id FROM memberships m JOIN units u ON u.id = m.unit_id"
        " WHERE m.role = 'admin' AND u.parent_id IS NULL)")
    op.create_table('rights_alerts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('change', sa.String(length=30), nullable=False),
    sa.Column('unit_ids', sa.JSON(), nullable=False),
    sa.Column('head_user_ids', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by', sa.String(length=64), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rights_alerts'))
    )
    with op.batch_alter_table('rights_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rights_alerts_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rights_alerts_created_at'), ['created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('rights_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rights_alerts_created_at'))
        batch_op.drop_index(batch_op.f('ix_rights_alerts_user_id'))
    op.drop_table('rights_alerts')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('system_admin')
