"""What the kernel says to staff (the outbox's reasons, shown by /outbox and the console's 消息投递)."""

from __future__ import annotations

CHANNEL_NAMES = {"telegram": "Telegram", "wecom": "企业微信", "wechat": "微信公众号", "terminal": "终端"}

NO_CHANNEL = "没有配置{channel}渠道，消息发不出去"
RETRYING = "暂时发不出去，稍后自动重试（{detail}）"
GAVE_UP = "重试{attempts}次仍发不出去，已停发（{detail}）"
REFUSED = "平台拒收，已停发（{detail}）"


def channel_name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel)
