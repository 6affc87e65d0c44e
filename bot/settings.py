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
    telegram_base_url: str | None = None
    telegram_staff_chat: str | None = None
    http_listen: str = "127.0.0.1:8080"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone name
        return value

    @property
    def staff_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.staff.split(",") if part.strip())
