"""Channel-neutral message types. A channel adapter turns its updates into Incoming and sends Replies.

Where a message goes is a typed target, never a string to split: an `Address` (a chat on a channel) or a
`StaffChat` (wherever a channel's staff read: Telegram's staff group, WeCom's robot). Targets are written as
text in one way only — `telegram:123`, `wecom:zhangsan`, `staff:telegram` — by `str(target)` and read back
by `parse_target`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

STAFF_PREFIX = "staff"


@dataclass(frozen=True, order=True)
class Address:
    """A chat on a channel: a person's private chat or a group."""

    channel: str
    chat: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.chat}"


@dataclass(frozen=True, order=True)
class StaffChat:
    """The staff chat of a channel, whatever it is there."""

    channel: str

    def __str__(self) -> str:
        return f"{STAFF_PREFIX}:{self.channel}"


Target = Address | StaffChat


def parse_target(text: str) -> Target:
    """`telegram:123` → Address, `staff:wecom` → StaffChat; ValueError with the reason otherwise."""
    channel, separator, chat = text.strip().partition(":")
    if not separator or not channel or not chat or any(c.isspace() for c in text.strip()):
        raise ValueError(f"not a recipient: {text!r} (write channel:id, e.g. telegram:123, or staff:telegram)")
    if channel == STAFF_PREFIX:
        return StaffChat(chat)
    return Address(channel, chat)


@dataclass(frozen=True)
class Button:
    label: str
    payload: str


# What a proactive message is, for a channel that must deliver some kinds differently (WeChat: a template
# message when the follower has not written for 48 hours). Answers and conversation carry no kind.
REMINDER = "reminder"  # reminders and deadline reminders
TIP_STATUS = "tip_status"  # news of a report's status for the reporter
SURVEY_INVITE = "survey_invite"  # an invitation to the satisfaction survey
KINDS = (REMINDER, TIP_STATUS, SURVEY_INVITE)


@dataclass(frozen=True)
class Reply:
    """A message to send: by default to the chat the Incoming came from; `to` sends it elsewhere (another
    person's chat, or a channel's staff chat). `kind`: one of KINDS for a proactive message."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of buttons
    image: bytes | None = None
    file_name: str | None = None
    to: Target | None = None
    kind: str | None = None

    def payloads(self) -> list[str]:
        return [b.payload for row in self.buttons for b in row]

    def labels(self) -> list[str]:
        return [b.label for row in self.buttons for b in row]


_NO_CONTROL = re.compile("[\x00-\x1f\x7f]")
_NO_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(value: str | None) -> str | None:
    return None if value is None else _NO_CONTROL.sub("", value)


def _clean_text(value: str | None) -> str | None:
    return None if value is None else _NO_CONTROL_IN_TEXT.sub("", value)


@dataclass(frozen=True)
class Incoming:
    channel: str  # console | telegram | wecom
    user_id: str  # unique within the channel
    chat_id: str
    text: str | None = None
    payload: str | None = None  # set when a button was pressed
    display_name: str | None = None
    is_group: bool = False
    in_staff_chat: bool = False  # sent in the channel's staff chat
    reply_to_text: str | None = None  # text of the message this one replies to, if any
    extra: dict[str, str] = field(default_factory=dict, compare=False)
    # pictures sent with it, as the platform's file ids (Telegram file_id, WeCom MediaId): downloaded later
    photos: tuple[str, ...] = ()
    # what else came instead of text, when it was not a picture: sticker | file | too_large | other
    attachment: str | None = None

    def cleaned(self) -> Incoming:
        """The same message without control characters (NUL and the like, which PostgreSQL's text cannot hold
        and no person typed on purpose): in names and ids all of them go, in texts all but tab and line breaks."""
        return replace(
            self, user_id=_NO_CONTROL.sub("", self.user_id), chat_id=_NO_CONTROL.sub("", self.chat_id),
            text=_clean_text(self.text), payload=_clean(self.payload), display_name=_clean(self.display_name),
            reply_to_text=_clean_text(self.reply_to_text), photos=tuple(_NO_CONTROL.sub("", p) for p in self.photos),
            attachment=_clean(self.attachment))

    @property
    def address(self) -> Address:
        """Where answers to this message go."""
        return Address(self.channel, self.chat_id)

    @property
    def sender(self) -> Address:
        """Who sent it, as staff lists name people (`telegram:123`)."""
        return Address(self.channel, self.user_id)

    def to_json(self) -> dict[str, Any]:
        return {"channel": self.channel, "user_id": self.user_id, "chat_id": self.chat_id, "text": self.text,
                "payload": self.payload, "display_name": self.display_name, "is_group": self.is_group,
                "in_staff_chat": self.in_staff_chat, "reply_to_text": self.reply_to_text, "extra": self.extra,
                "photos": list(self.photos), "attachment": self.attachment}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Incoming:
        return cls(str(data["channel"]), str(data["user_id"]), str(data["chat_id"]), text=data.get("text"),
                   payload=data.get("payload"), display_name=data.get("display_name"),
                   is_group=bool(data.get("is_group")), in_staff_chat=bool(data.get("in_staff_chat")),
                   reply_to_text=data.get("reply_to_text"), extra=dict(data.get("extra") or {}),
                   photos=tuple(str(p) for p in data.get("photos") or ()), attachment=data.get("attachment"))
