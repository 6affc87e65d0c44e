"""Images (survey charts) in the outbox, so they travel like any other message.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("image", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("file_name", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("file_name")
        batch.drop_column("image")
