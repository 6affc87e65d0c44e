"""Channel-neutral message types. A channel adapter turns its updates into Incoming and sends Replies."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    label: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of buttons
    image: bytes | None = None
    file_name: str | None = None

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
    extra: dict[str, str] = field(default_factory=dict, compare=False)
