"""Channel-neutral message types. A channel adapter turns its updates into Incoming and sends Replies."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    label: str
    payload: str


STAFF_CHAT = "staff"  # Reply.chat_id meaning "the staff chat of this channel"


@dataclass(frozen=True)
class Reply:
    """A message to send. By default to the chat the Incoming came from; `channel`/`chat_id` send it
    elsewhere (another user's chat, or STAFF_CHAT: wherever the channel's staff read)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of buttons
    image: bytes | None = None
    file_name: str | None = None
    channel: str | None = None
    chat_id: str | None = None

    def payloads(self) -> list[str]:
        return [b.payload for row in self.buttons for b in row]

    def labels(self) -> list[str]:
        return [b.label for row in self.buttons for b in row]


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
