"""Knowledge-base entries created in the console start as drafts: a version can be a draft, kept but never
answered until it is published.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kb_entry_version") as batch:
        batch.add_column(sa.Column("draft", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("kb_entry_version") as batch:
        batch.drop_column("draft")
