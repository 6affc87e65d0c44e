"""What staff taught the bot: phrasings learned for an entry or marked not about IP, the review state of
logged questions, and knowledge-base entries edited in the console (one row per version, layered over the
packaged files).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learned_phrasing",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("entry_id", sa.String(64), nullable=True),
        sa.Column("taught_by", sa.String(160), nullable=False),
        sa.Column("taught_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
    )
    with op.batch_alter_table("question_log") as batch:
        batch.add_column(sa.Column("review", sa.String(16), nullable=True))
    op.create_table(
        "kb_entry_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("author", sa.String(160), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_kb_entry_version_entry", "kb_entry_version", ["entry_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_kb_entry_version_entry", table_name="kb_entry_version")
    op.drop_table("kb_entry_version")
    with op.batch_alter_table("question_log") as batch:
        batch.drop_column("review")
    op.drop_table("learned_phrasing")
