"""Online infringement reports (WQ numbers), their photos and status history.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tip",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(16), nullable=True, unique=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("chat_id", sa.String(128), nullable=False),
        sa.Column("draft_owner", sa.String(160), nullable=True, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("right_name", sa.String(200), nullable=True),
        sa.Column("county", sa.String(32), nullable=True),
        sa.Column("place", sa.String(500), nullable=True),
        sa.Column("place_key", sa.String(500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("contact", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("staff_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_tip_status", "tip", ["status", "submitted_at"])
    op.create_index("ix_tip_place_key", "tip", ["place_key"])
    op.create_index("ix_tip_reporter", "tip", ["channel", "user_id"])
    op.create_table(
        "tip_photo",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tip_id", sa.Integer(), sa.ForeignKey("tip.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("file_id", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("file_name", sa.String(100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_tip_photo_tip", "tip_photo", ["tip_id", "position"])
    op.create_index("ix_tip_photo_pending", "tip_photo", ["status", "next_attempt_at"])
    op.create_table(
        "tip_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tip_id", sa.Integer(), sa.ForeignKey("tip.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(160), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_tip_event_tip", "tip_event", ["tip_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_tip_event_tip", table_name="tip_event")
    op.drop_table("tip_event")
    op.drop_index("ix_tip_photo_pending", table_name="tip_photo")
    op.drop_index("ix_tip_photo_tip", table_name="tip_photo")
    op.drop_table("tip_photo")
    op.drop_index("ix_tip_reporter", table_name="tip")
    op.drop_index("ix_tip_place_key", table_name="tip")
    op.drop_index("ix_tip_status", table_name="tip")
    op.drop_table("tip")
