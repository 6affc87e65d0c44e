"""The inbox: every message is stored before it is acknowledged to its platform, and handled from there.
The outbox learns the staff chat as a target of its own (not the chat id "staff") and which rows are
answers to a message just taken in. WeCom's seen-callback table is replaced by the inbox's keys.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("incoming", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("channel", "key", name="uq_inbox_key"),
    )
    op.create_index("ix_inbox_status", "inbox", ["status", "id"])
    op.create_index("ix_inbox_received_at", "inbox", ["received_at"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("to_staff", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("answer", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE outbox SET to_staff = true WHERE chat_id = 'staff'")
    # reminders named a staff group as "<channel>:staff"; now "staff:<channel>" (see bot/core/messages.py)
    reminder = sa.table("reminder", sa.column("id", sa.Integer()), sa.column("recipients", sa.JSON()))
    connection = op.get_bind()
    for row_id, recipients in connection.execute(sa.select(reminder.c.id, reminder.c.recipients)).all():
        moved = [f"staff:{r.split(':', 1)[0]}" if isinstance(r, str) and r.endswith(":staff") else r
                 for r in recipients or []]
        if moved != recipients:
            connection.execute(reminder.update().where(reminder.c.id == row_id).values(recipients=moved))
    op.drop_index("ix_wecom_seen_seen_at", table_name="wecom_seen")
    op.drop_table("wecom_seen")


def downgrade() -> None:
    op.create_table(
        "wecom_seen",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_wecom_seen_seen_at", "wecom_seen", ["seen_at"])
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("answer")
        batch.drop_column("to_staff")
    op.drop_index("ix_inbox_received_at", table_name="inbox")
    op.drop_index("ix_inbox_status", table_name="inbox")
    op.drop_table("inbox")
