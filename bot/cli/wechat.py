"""`ipbot wechat menu` (publish the Official Account's menu, derived from the command table) and
`ipbot wechat qr SCENE -o FILE.png` (a permanent QR code for a poster or leaflet: following or scanning it
does what the scene names). Both call WeChat with the access token the running bot shares (kept in the
database): fetching one of their own would cut the running bot's off."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bot.channels.wechat_menu import SCENES
from bot.cli import common

if TYPE_CHECKING:
    from bot.channels.wechat_api import WeChatClient

T = TypeVar("T")
NOT_CONFIGURED_EXIT, REFUSED_EXIT = 2, 1
NOT_CONFIGURED = ("WeChat is not configured: set IPBOT_WECHAT_APP_ID and IPBOT_WECHAT_APP_SECRET "
                  "(公众号未配置：请设置 AppID 和 AppSecret)\n")


def register(sub: Any) -> None:
    wechat = sub.add_parser("wechat", help="the WeChat Official Account: its menu and QR codes")
    wechat_sub = wechat.add_subparsers(dest="wechat_command", required=True)
    menu = wechat_sub.add_parser("menu", help="publish the account's menu (from the command table)")
    menu.set_defaults(func=cmd_menu)
    qr = wechat_sub.add_parser("qr", help="a permanent QR code for a scene: survey, tip or ask")
    qr.add_argument("scene", choices=sorted(SCENES),
                    help="survey: starts the survey; tip: starts a report; ask: opens with the menu")
    qr.add_argument("-o", "--output", required=True, help="the PNG file to write")
    qr.set_defaults(func=cmd_qr)


class Failed(Exception):
    """WeChat is not configured, or refused: the reason is on standard error; `code` is the exit code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _call(action: Callable[[WeChatClient], Awaitable[T]]) -> T:
    """Run `action` with a client for the configured account; Failed (with the reason on standard error) when
    WeChat is not configured or refuses."""
    from bot.channels.wechat_api import WeChatClient
    from bot.channels.wechat_state import AccountState
    from bot.core.delivery import PermanentFailure, TemporaryFailure

    settings = common.settings()
    if not settings.wechat_app_id or not settings.wechat_app_secret:
        sys.stderr.write(NOT_CONFIGURED)
        raise Failed(NOT_CONFIGURED_EXIT)
    state = AccountState(common.open_database())

    async def run() -> T:
        client = WeChatClient(settings.wechat_api_base_url, settings.wechat_app_id or "",
                              settings.wechat_app_secret or "", state)
        try:
            return await action(client)
        finally:
            await client.close()

    try:
        import asyncio  # here, not at the top: every ipbot command (ipbot ask too) imports this module

        return asyncio.run(run())
    except (PermanentFailure, TemporaryFailure) as exc:
        sys.stderr.write(f"WeChat refused (微信拒绝): {exc}\n")
        raise Failed(REFUSED_EXIT) from exc


def cmd_menu(_args: argparse.Namespace) -> int:
    from bot.channels.wechat_menu import account_menu
    from handlers.commands import app_menu_commands

    menu = account_menu(app_menu_commands())

    async def publish(client: WeChatClient) -> None:
        await client.create_menu(menu.buttons)

    try:
        _call(publish)
    except Failed as failed:
        return failed.code
    sys.stdout.write(f"menu published (菜单已发布):\n{menu.describe()}\n")
    for label, name in menu.left_out:
        sys.stdout.write(f"left out, no room (菜单放不下): {label} → /{name}\n")
    return 0


def cmd_qr(args: argparse.Namespace) -> int:
    from bot.channels.wechat_menu import draw_qr

    async def create(client: WeChatClient) -> str:
        return await client.create_qr(args.scene)

    try:
        url = _call(create)
    except Failed as failed:
        return failed.code
    common.write_binary(draw_qr(url), args.output)
    sys.stdout.write(f"{args.output}: QR code for scene {args.scene} ({SCENES[args.scene]}), {url}\n")
    return 0
