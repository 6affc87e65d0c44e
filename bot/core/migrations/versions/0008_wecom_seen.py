"""WeCom callbacks already taken in, to process each once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wecom_seen",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_wecom_seen_seen_at", "wecom_seen", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_wecom_seen_seen_at", table_name="wecom_seen")
    op.drop_table("wecom_seen")
