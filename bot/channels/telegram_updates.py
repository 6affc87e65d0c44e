"""Telegram's updates as the bot's messages: which updates are well formed (ids that are whole numbers where
the Bot API gives them), and the translation of a message or a button press into an Incoming — who, which
chat, the text meant for the bot (in groups: only what mentions or answers it), pictures and other files."""

from __future__ import annotations

import re
from typing import Any

from bot.core.messages import Incoming
from handlers.tips.photos import MAX_BYTES as PHOTO_LIMIT

CHANNEL = "telegram"


def _full_name(user: dict[str, Any]) -> str:
    return " ".join(part for part in (user.get("first_name"), user.get("last_name")) if part)


def _size(item: dict[str, Any]) -> int:
    size = item.get("file_size")
    return size if isinstance(size, int) and not isinstance(size, bool) else 0


def valid_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63


def well_formed(update: Any) -> bool:
    """An update whose ids are whole numbers where the Bot API gives them (a forged or broken one is refused
    before anything is stored; a kind of update the bot does not handle is still well formed)."""
    if not isinstance(update, dict) or not valid_id(update.get("update_id")):
        return False
    parts = [update.get("message"), update.get("callback_query")]
    query = update.get("callback_query")
    if isinstance(query, dict):
        parts.append(query.get("message"))
    for part in (p for p in parts if isinstance(p, dict)):
        for key in ("from", "chat"):
            if key in part and not (isinstance(part[key], dict) and valid_id(part[key].get("id"))):
                return False
    return True


def _attachments(message: dict[str, Any]) -> tuple[tuple[str, ...], str | None]:
    """A picture as its file id (the largest size of a photo; a file that says it is an image), or what
    else came instead of text. What the file really is, the downloader checks by its content."""
    photo, document = message.get("photo"), message.get("document")
    if isinstance(photo, list) and photo and isinstance(photo[-1], dict) and photo[-1].get("file_id"):
        biggest = max((p for p in photo if isinstance(p, dict)), key=_size)
        if _size(biggest) > PHOTO_LIMIT:
            return (), "too_large"
        return (str(biggest["file_id"]),), None
    if isinstance(document, dict) and document.get("file_id"):
        if not str(document.get("mime_type") or "").startswith("image/"):
            return (), "file"
        if _size(document) > PHOTO_LIMIT:
            return (), "too_large"
        return (str(document["file_id"]),), None
    if "sticker" in message:
        return (), "sticker"
    if message.get("text") is None and any(k in message for k in ("voice", "video", "audio", "animation",
                                                                 "video_note", "contact", "location")):
        return (), "other"
    return (), None


class Translator:
    """A Bot API update (JSON) as an Incoming, or None when it is nothing for the bot."""

    def __init__(self, staff_chat: str | None) -> None:
        self.staff_chat = staff_chat or ""
        self.bot_id = 0
        self.username = ""

    def incoming(self, update: dict[str, Any]) -> Incoming | None:
        if isinstance(update.get("message"), dict):
            return self._message(update["message"])
        query = update.get("callback_query")
        if isinstance(query, dict) and isinstance(query.get("from"), dict):
            user = query["from"]
            message = query.get("message") if isinstance(query.get("message"), dict) else None
            chat_id = message["chat"]["id"] if message and isinstance(message.get("chat"), dict) else user["id"]
            return Incoming(CHANNEL, str(user["id"]), str(chat_id), payload=str(query.get("data") or ""),
                            display_name=_full_name(user))
        return None

    def _message(self, message: dict[str, Any]) -> Incoming | None:
        user, chat = message.get("from"), message.get("chat")
        if not isinstance(user, dict) or not isinstance(chat, dict) or user.get("is_bot"):
            return None
        staff_chat = bool(self.staff_chat) and str(chat.get("id")) == self.staff_chat
        replied = message.get("reply_to_message") if isinstance(message.get("reply_to_message"), dict) else None
        replied_from = replied.get("from") if replied else None
        to_bot = isinstance(replied_from, dict) and replied_from.get("id") == self.bot_id
        reply_to_text = replied.get("text") if replied and to_bot else None
        private = chat.get("type") == "private"
        photos, attachment = _attachments(message)
        raw = message.get("text") if message.get("text") is not None else message.get("caption")
        if (photos or attachment) and not private:
            return None  # pictures in groups are not for the bot
        if raw is None:  # a sticker, a photo, a file: told (in a private chat) that only text is understood
            text = None
            if not private:
                return None
        else:
            text = str(raw) if staff_chat else self._addressed(str(raw), private, to_bot)
            if text is None:
                return None
        return Incoming(CHANNEL, str(user["id"]), str(chat["id"]), text=text, display_name=_full_name(user),
                        is_group=not private, in_staff_chat=staff_chat, reply_to_text=reply_to_text,
                        photos=photos, attachment=attachment)

    def _addressed(self, text: str, private: bool, to_bot: bool) -> str | None:
        """The text meant for the bot, or None when a group message is not addressed to it."""
        mention = f"@{self.username}"
        command = re.compile(rf"^(/\w+){re.escape(mention)}", re.IGNORECASE)
        if private:
            return command.sub(r"\1", text) if text.startswith("/") else text
        if text.startswith("/"):
            first = text.split(maxsplit=1)[0]
            if "@" in first and not first.lower().endswith(mention.lower()):
                return None  # a command for another bot
            return command.sub(r"\1", text)
        if mention.lower() in text.lower():
            return re.sub(re.escape(mention), "", text, flags=re.IGNORECASE).strip()
        return text if to_bot else None
