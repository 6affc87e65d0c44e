"""Question log and handoff requests.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("chat_id", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(64), nullable=True),
        sa.Column("entry_id", sa.String(64), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("confident", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("feedback", sa.String(16), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_question_log_created_at", "question_log", ["created_at"])
    op.create_index("ix_question_log_user", "question_log", ["channel", "user_id"])
    op.create_table(
        "handoff_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("chat_id", sa.String(128), nullable=False),
        sa.Column("display_name", sa.String(128), nullable=True),
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("question_log.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_handoff_request_status", "handoff_request", ["status"])


def downgrade() -> None:
    op.drop_index("ix_handoff_request_status", table_name="handoff_request")
    op.drop_table("handoff_request")
    op.drop_index("ix_question_log_user", table_name="question_log")
    op.drop_index("ix_question_log_created_at", table_name="question_log")
    op.drop_table("question_log")
