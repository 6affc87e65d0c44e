"""The Official Account's menu and QR codes, for `ipbot wechat menu` and `ipbot wechat qr` (and the channel,
which answers what they lead to). Light to import: the command line's parser reads SCENES.

The menu comes from the command table's app-menu entries (handlers/commands.py: label and command, in the
table's order), like WeCom's app menu: each button is a CLICK whose key is the command ("/survey"), which the
channel takes as if it had been typed. WeChat shows at most 3 buttons in the bar, each with at most 5 under
it; a button in the bar holds 4 Chinese characters, one under it 8. So when the entries do not all fit in the
bar, the first ones that fit stay there and the rest go under 更多.

A QR code's scene says what following the account through it, or scanning it as a follower, does.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from bot.channels import wechat_texts as text

# scene → the command it runs, as if typed: survey starts the survey, tip a report, ask opens the main menu
SCENES = {"survey": "/survey", "tip": "/tip", "ask": "/start"}
BAR = 3  # buttons in the menu bar
UNDER = 5  # buttons under one
BAR_CHARS = 4  # characters a button in the bar shows
UNDER_CHARS = 8


@dataclass(frozen=True)
class Menu:
    buttons: list[dict[str, Any]]  # as /cgi-bin/menu/create takes them
    left_out: list[tuple[str, str]]  # entries that did not fit (label, command)

    def describe(self) -> str:
        """The menu as a person checks it: one line a button, those under 更多 indented."""
        lines = []
        for button in self.buttons:
            if "sub_button" in button:
                lines.append(button["name"])
                lines += [f"  {sub['name']} → {sub['key']}" for sub in button["sub_button"]]
            else:
                lines.append(f"{button['name']} → {button['key']}")
        return "\n".join(lines)


def _click(label: str, command: str, limit: int) -> dict[str, Any]:
    return {"type": "click", "name": label[:limit], "key": f"/{command}"}


def account_menu(entries: list[tuple[str, str]]) -> Menu:
    """The account menu for the command table's entries (label, command name)."""
    if len(entries) <= BAR and all(len(label) <= BAR_CHARS for label, _ in entries):
        return Menu([_click(label, name, BAR_CHARS) for label, name in entries], [])
    in_bar = [entry for entry in entries if len(entry[0]) <= BAR_CHARS][:BAR - 1]
    rest = [entry for entry in entries if entry not in in_bar]
    more = {"name": text.MENU_MORE, "sub_button": [_click(label, name, UNDER_CHARS) for label, name in rest[:UNDER]]}
    return Menu([*(_click(label, name, BAR_CHARS) for label, name in in_bar), more], rest[UNDER:])


def draw_qr(url: str) -> bytes:
    """The PNG of a QR code encoding `url` (what /cgi-bin/qrcode/create answered), big enough for a poster."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=12, border=4)
    code.add_data(url)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()
