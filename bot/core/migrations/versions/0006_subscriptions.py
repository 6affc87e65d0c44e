"""Deadline subscriptions, and reminders that belong to one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("chat_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    with op.batch_alter_table("reminder") as batch:
        batch.add_column(sa.Column("subscription_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_reminder_subscription", "subscription", ["subscription_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("reminder") as batch:
        batch.drop_constraint("fk_reminder_subscription", type_="foreignkey")
        batch.drop_column("subscription_id")
    op.drop_table("subscription")
