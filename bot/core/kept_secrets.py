"""Secrets an install generates once and keeps in its database, so that every instance and every restart uses
the same one: the console's cookie secret, the Telegram webhook's secret token, the survey's salt. A value
configured in the environment always wins."""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.models import ConsoleSetting

COOKIE_SECRET = "cookie_secret"
TELEGRAM_WEBHOOK_SECRET = "telegram_webhook_secret"
SURVEY_SALT = "survey_salt"


def kept_secret(session: Session, name: str, configured: str | None = None) -> str:
    """`configured` when set; else the secret kept under `name`, generated (URL-safe: letters, digits, - and _,
    as Telegram's secret_token needs) the first time it is asked for."""
    if configured:
        return configured
    found = session.get(ConsoleSetting, name)
    if found is not None:
        return found.value
    try:
        with session.begin_nested():
            session.add(ConsoleSetting(name=name, value=secrets.token_urlsafe(48)))
    except IntegrityError:  # another process stored one at the same moment
        pass
    stored = session.get(ConsoleSetting, name)
    assert stored is not None
    return stored.value
