"""audit log chained by hashes

Adds seq / prev_hash / hash to audit_log and the audit_head row, and chains the
entries that already exist in id order.

Revision ID: 5b2c9e7d1a40
Revises: 3fa69b8a668d
Create Date: 2026-11-25
"""
import json

import sqlalchemy as sa
from alembic import op

from services.documents.audit import GENESIS, entry_hash

revision = "5b2c9e7d1a40"
down_revision = "3fa69b8a668d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    connection = op.get_bind()
    log = sa.table("audit_log", sa.column("id"), sa.column("at", sa.DateTime(timezone=True)),
                   sa.column("actor_id"), sa.column("action"), sa.column("object_type"),
                   sa.column("object_id"), sa.column("details", sa.JSON),
                   sa.column("request_id"), sa.column("seq"), sa.column("prev_hash"),
                   sa.column("hash"))
    previous, seq = GENESIS, 0
    for row in connection.execute(sa.select(log).order_by(log.c.id)).mappings().all():
        seq += 1
        details = row["details"]
        if isinstance(details, str):
            details = json.loads(details)
        digest = entry_hash(seq, row["at"], row["actor_id"], row["action"],
                            row["object_type"], row["object_id"], details, row["request_id"],
                            previous)
        connection.execute(sa.update(log).where(log.c.id == row["id"])
                           .values(seq=seq, prev_hash=previous, hash=digest))
        previous = digest
    connection.execute(sa.text("INSERT INTO audit_head (id, last_seq, last_hash) "
                               "VALUES (1, :seq, :hash)"), {"seq": seq, "hash": previous})

    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(op.f("uq_audit_log_seq"), ["seq"])


def downgrade():
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint(op.f("uq_audit_log_seq"), type_="unique")
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
        batch.drop_column("seq")
    op.drop_table("audit_head")
