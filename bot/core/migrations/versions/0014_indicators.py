"""The plan's indicators: values recorded by period with their source.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("indicator_id", sa.String(64), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(160), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_indicator_value_indicator", "indicator_value", ["indicator_id", "period", "id"])


def downgrade() -> None:
    op.drop_index("ix_indicator_value_indicator", table_name="indicator_value")
    op.drop_table("indicator_value")
