"""Acknowledgement (已办) of staff reminders, and their escalation when nobody acknowledges.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminder") as batch:
        batch.add_column(sa.Column("needs_ack", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("ack_required", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("acknowledged_by", sa.String(160), nullable=True))
        batch.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        for column in ("escalated_at", "acknowledged_by", "acknowledged_at", "ack_required"):
            batch.drop_column(column)
    with op.batch_alter_table("reminder") as batch:
        batch.drop_column("needs_ack")
