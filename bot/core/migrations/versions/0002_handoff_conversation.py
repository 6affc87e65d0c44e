"""Handoff conversations: last activity (for the idle timeout) and who closed them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_request") as batch:
        batch.add_column(sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_by", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoff_request") as batch:
        batch.drop_column("closed_by")
        batch.drop_column("closed_at")
        batch.drop_column("last_activity_at")
