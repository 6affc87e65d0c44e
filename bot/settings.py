"""Settings from IPBOT_* environment variables and an optional .env file; every one has a default."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///ipbot.db"
ENV_FILE = ".env"  # read from the working folder
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IPBOT_", env_file=ENV_FILE, extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Asia/Shanghai"
    staff: str = ""  # ids like telegram:123,wecom:zhangsan
    knowledge_dir: str | None = None  # another knowledge-base folder (defaults to the packaged one)
    telegram_token: str | None = None
    telegram_base_url: str | None = None  # scheme and host of a local Bot API server or a test double
    telegram_staff_chat: str | None = None  # chat id where staff receive handoffs
    telegram_webhook_url: str | None = None  # public https URL: webhook mode instead of long polling
    telegram_webhook_secret: str | None = None  # X-Telegram-Bot-Api-Secret-Token; unset: generated and kept
    telegram_max_rate: float = 30.0  # messages a second overall (Telegram's limit)
    telegram_concurrent_updates: int = Field(default=4, ge=1, le=256)  # updates at once, each chat's in order
    user_messages_per_minute: int = 20  # per-user flood limit
    survey_salt: str | None = None  # mixed into respondent hashes; unset: one generated and kept in the database
    survey_file: str | None = None  # another survey definition (defaults to the packaged one)
    reminder_late_after_seconds: int = 120  # a reminder sent later than this after its time is marked late
    reminder_check_seconds: float = 1.0  # besides sleeping until the next due time: how often to look for reminders
    # other processes (ipbot remind add) scheduled
    reminder_escalate_after_seconds: int = 4 * 3600  # staff reminder without 已办 this long: resent, staff told
    outbox_claim_lease_seconds: float = Field(default=30.0, gt=0)  # a message left 'sending' this long (its
    # instance died while sending it) is sent again; keep it well over any send's timeouts
    http_listen: str = "127.0.0.1:8080"  # the one HTTP server: WeCom callback, Telegram webhook
    wecom_corp_id: str | None = None
    wecom_agent_id: int | None = None
    wecom_secret: str | None = None  # the self-built app's Secret (for gettoken)
    wecom_token: str | None = None  # callback Token
    wecom_aes_key: str | None = None  # callback EncodingAESKey (43 characters)
    wecom_robot_webhook_url: str | None = None  # group robot of the staff group
    wecom_api_base_url: str = "https://qyapi.weixin.qq.com"  # scheme and host; a test double in tests
    wechat_app_id: str | None = None  # the Official Account's AppID (also the receive id of encrypted callbacks)
    wechat_app_secret: str | None = None  # its AppSecret (for the access token)
    wechat_token: str | None = None  # callback Token
    wechat_aes_key: str | None = None  # EncodingAESKey (43 characters): safe mode; unset: plain mode
    wechat_api_base_url: str = "https://api.weixin.qq.com"  # scheme and host; a test double in tests
    wechat_templates: str | None = None  # YAML: template messages by kind, for followers outside the 48 hours
    trusted_proxies: str = ""  # reverse proxies whose X-Forwarded-For / X-Real-IP name the client (IPs or networks)
    console_secret: str | None = None  # signs the web console's cookies; unset: one generated and kept in the database
    console_idle_minutes: int = Field(default=30, ge=1, le=720)  # an unused console session ends after this long
    media_dir: str | None = None  # report photos; default: a `media` folder beside the SQLite file
    tip_retention_days: int = Field(default=365, ge=1)  # closed reports keep contact and photos this long
    question_log_retention_days: int = Field(default=365, ge=1)  # older logged questions are deleted daily
    audit_log_retention_days: int = Field(default=365, ge=180)  # the console's audit log: never under 180 days
    log_level: str = "WARNING"  # what `ipbot run` logs to standard error: DEBUG, INFO, WARNING, ERROR, CRITICAL

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"not a log level: use one of {', '.join(LOG_LEVELS)}")
        return level

    @property
    def log_level_number(self) -> int:
        return int(getattr(logging, self.log_level))

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        from bot.client_address import parse_proxies

        parse_proxies(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError, which pydantic lets through
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Shanghai)") from exc
        return value

    def _wecom_required(self) -> dict[str, object]:
        return {"IPBOT_WECOM_CORP_ID": self.wecom_corp_id, "IPBOT_WECOM_AGENT_ID": self.wecom_agent_id,
                "IPBOT_WECOM_SECRET": self.wecom_secret, "IPBOT_WECOM_TOKEN": self.wecom_token,
                "IPBOT_WECOM_AES_KEY": self.wecom_aes_key}

    @property
    def wecom_configured(self) -> bool:
        return all(self._wecom_required().values())

    @property
    def wecom_missing(self) -> list[str]:
        """The WeCom settings still missing when some are set (empty when none or all are)."""
        required = self._wecom_required()
        missing = [name for name, value in required.items() if not value]
        return missing if len(missing) < len(required) else []

    def _wechat_required(self) -> dict[str, object]:
        return {"IPBOT_WECHAT_APP_ID": self.wechat_app_id, "IPBOT_WECHAT_APP_SECRET": self.wechat_app_secret,
                "IPBOT_WECHAT_TOKEN": self.wechat_token}

    @property
    def wechat_configured(self) -> bool:
        return all(self._wechat_required().values())

    @property
    def wechat_missing(self) -> list[str]:
        """The WeChat settings still missing when some are set (empty when none or all are)."""
        required = self._wechat_required()
        missing = [name for name, value in required.items() if not value]
        return missing if len(missing) < len(required) or (self.wechat_aes_key and missing) else []

    @property
    def media_folder(self) -> Path:
        """Where report photos are kept: IPBOT_MEDIA_DIR, else `media` beside the SQLite database file (in
        the working folder for PostgreSQL or an in-memory database)."""
        if self.media_dir:
            return Path(self.media_dir)
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url[len(prefix):] not in ("", ":memory:"):
            return Path(self.database_url[len(prefix):].split("?")[0]).resolve().parent / "media"
        return Path("media").resolve()

    @property
    def staff_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.staff.split(",") if part.strip())


class EnvFileUnreadable(Exception):
    """The .env in the working folder is there but cannot be read (e.g. owned by root, mode 0600)."""


def load() -> Settings:
    """The settings; EnvFileUnreadable, naming the file and the fix, when .env cannot be read."""
    try:
        return Settings()
    except OSError as exc:
        if exc.filename is None or Path(str(exc.filename)).name != ENV_FILE:
            raise
        import pwd

        path = Path(str(exc.filename)).absolute()
        user = pwd.getpwuid(os.geteuid()).pw_name
        raise EnvFileUnreadable(
            f"cannot read {path} ({exc.strerror}): the bot reads it as user {user}. Make it that user's: "
            f"chown {user}: {path} && chmod 600 {path} (or run ipbot as the user who owns it)") from exc


def describe(error: ValidationError) -> str:
    """A settings error as the variables people set: one line a problem."""
    lines = []
    for problem in error.errors():
        name = "IPBOT_" + "_".join(str(part) for part in problem["loc"]).upper()
        lines.append(f"{name}: {problem['msg']} (given: {problem.get('input')!r})")
    return "\n".join(lines)
