"""`ipbot chat` (the bot in this terminal) and `ipbot run` (every configured channel and the staff console)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING, Any

from bot.cli import common

if TYPE_CHECKING:
    from bot.settings import Settings


def register(sub: Any) -> None:
    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--user", default="local", help="user id for this terminal session")
    chat.set_defaults(func=cmd_chat)


def register_run(sub: Any) -> None:
    run = sub.add_parser("run", help="serve every configured channel (Telegram, WeCom), the reminders, the outbox "
                                     "and the staff web console")
    run.set_defaults(func=cmd_run)


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.app import build_router
    from bot.channels.terminal import TerminalChannel
    from bot.process import configure_process, startup_done

    configure_process()
    router = build_router(common.settings(), common.knowledge(), learn=True)
    startup_done()
    TerminalChannel(router.handle, sys.stdin, sys.stdout, user_id=args.user,
                    interactive=sys.stdin.isatty()).run()
    return 0


def cmd_run(_args: argparse.Namespace) -> int:
    from bot.process import bot_log_level, configure_process

    settings = common.settings()
    configure_process(settings.log_level_number)
    logging.getLogger("bot").setLevel(bot_log_level(settings.log_level_number))
    if settings.wecom_missing:
        sys.stderr.write(f"WeCom is partly configured; also set: {', '.join(settings.wecom_missing)}\n")
        return 2
    if settings.wechat_missing:
        sys.stderr.write(f"WeChat is partly configured; also set: {', '.join(settings.wechat_missing)}\n")
        return 2
    from bot.instance_lock import DatabaseInUse, InstanceLock, sqlite_file

    database = sqlite_file(settings.database_url)
    lock = InstanceLock(database) if database is not None else None
    try:
        if lock is not None:  # SQLite is one instance; and no restore replaces the file under a running bot
            lock.acquire()
    except DatabaseInUse as exc:
        sys.stderr.write(f"cannot start: {exc} (a SQLite database serves one instance; several need PostgreSQL)\n")
        return 2
    try:
        return _serve(settings)
    finally:
        if lock is not None:
            lock.release()


def _serve(settings: Settings) -> int:
    import asyncio

    from bot.app import build_app, serve_until_stopped
    from bot.process import startup_done

    console_only = not settings.telegram_token and not settings.wecom_configured and not settings.wechat_configured
    try:
        app = build_app(settings, common.knowledge(), learn=True)
    except ValueError as exc:  # e.g. an EncodingAESKey that is not 43 characters
        sys.stderr.write(f"cannot start: {exc}\n")
        return 2
    startup_done()
    from handlers import charts

    charts.warn_if_no_font()  # staff get charts (survey, indicators): say now when they cannot show Chinese
    if console_only:
        from bot.console.app import url

        said = (f"没有配置任何渠道，只启动网页工作台 / no channel is configured: serving the staff console only, at "
                f"{url(settings)} (channels: set IPBOT_TELEGRAM_TOKEN, or IPBOT_WECOM_CORP_ID, _AGENT_ID, _SECRET, "
                f"_TOKEN and _AES_KEY, or IPBOT_WECHAT_APP_ID, _APP_SECRET and _TOKEN; first admin: "
                f"ipbot staff add NAME --role admin; the bot in a terminal: ipbot chat)")
        sys.stdout.write(said + "\n")
        sys.stdout.flush()
        logging.getLogger("bot.console").info("%s", said)
    sys.stderr.write(f"starting {app.describe()}, with reminders and the outbox; Ctrl-C stops it.\n")
    from bot.http_server import ListenError

    try:
        asyncio.run(serve_until_stopped(app))
    except ListenError as exc:
        sys.stderr.write(f"cannot start: {exc}\n")
        return 2
    return 0
