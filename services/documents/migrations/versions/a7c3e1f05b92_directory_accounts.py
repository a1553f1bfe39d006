"""Users signed in through the organisation's directory (LDAP, OpenID Connect): their
e-mail (a directory account may be matched by it) and where they sign in.

Revision ID: a7c3e1f05b92
Revises: d014560cd3bc
Create Date: 2026-12-06 21:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c3e1f05b92'
down_revision = 'd014560cd3bc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('auth_source', sa.String(length=20), nullable=False,
                                      server_default='local'))
        batch_op.create_index(batch_op.f('ix_users_email'), ['email'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_email'))
        batch_op.drop_column('auth_source')
        batch_op.drop_column('email')
