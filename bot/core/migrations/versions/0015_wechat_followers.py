"""WeChat followers in a table of their own (who follows; when each last wrote: the 48-hour window), moved
from the console_setting rows `wechat_unfollowed:<openid>`; and the outbox's message kind (reminder, report
status, survey invitation), which WeChat sends as a template message outside the window.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UNFOLLOWED_PREFIX = "wechat_unfollowed:"
settings = sa.table("console_setting", sa.column("name", sa.String), sa.column("value", sa.Text))
followers = sa.table("wechat_follower", sa.column("openid", sa.String), sa.column("following", sa.Boolean),
                     sa.column("changed_at", sa.DateTime(timezone=True)))


def _when(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return dt.datetime.now(dt.UTC)


def upgrade() -> None:
    op.create_table(
        "wechat_follower",
        sa.Column("openid", sa.String(128), primary_key=True),
        sa.Column("following", sa.Boolean(), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kind", sa.String(32), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(settings.c.name, settings.c.value)
                        .where(settings.c.name.like(UNFOLLOWED_PREFIX + "%"))).all()
    if rows:
        op.bulk_insert(followers, [{"openid": name[len(UNFOLLOWED_PREFIX):], "following": False,
                                    "changed_at": _when(value)} for name, value in rows])
        bind.execute(sa.delete(settings).where(settings.c.name.like(UNFOLLOWED_PREFIX + "%")))


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(followers.c.openid, followers.c.changed_at)
                        .where(followers.c.following.is_(False))).all()
    if rows:
        op.bulk_insert(settings, [{"name": UNFOLLOWED_PREFIX + openid, "value": str(int(changed.timestamp()))}
                                  for openid, changed in rows])
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("kind")
    op.drop_table("wechat_follower")
