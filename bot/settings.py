"""Settings from IPBOT_* environment variables and an optional .env file; every one has a default."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///ipbot.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IPBOT_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Asia/Shanghai"
    staff: str = ""  # ids like telegram:123,wecom:zhangsan
    knowledge_dir: str | None = None  # another knowledge-base folder (defaults to the packaged one)
    telegram_token: str | None = None
    telegram_base_url: str | None = None  # scheme and host of a local Bot API server or a test double
    telegram_staff_chat: str | None = None  # chat id where staff receive handoffs
    telegram_webhook_url: str | None = None  # public https URL: webhook mode instead of long polling
    telegram_webhook_secret: str | None = None  # checked against X-Telegram-Bot-Api-Secret-Token
    telegram_max_rate: float = 30.0  # messages a second overall (Telegram's limit)
    user_messages_per_minute: int = 20  # per-user flood limit
    survey_salt: str = "ipbot-survey"  # mixed into respondent hashes in exports; set your own secret
    survey_file: str | None = None  # another survey definition (defaults to the packaged one)
    reminder_late_after_seconds: int = 120  # a reminder sent later than this after its time is marked late
    reminder_check_seconds: float = 15.0  # how often due reminders are looked for
    reminder_escalate_after_seconds: int = 4 * 3600  # staff reminder without 已办 this long: resent, staff told
    http_listen: str = "127.0.0.1:8080"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone name
        return value

    @property
    def staff_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.staff.split(",") if part.strip())
