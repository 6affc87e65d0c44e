"""Every chat command in one table: name, what runs it, who may use it, its help line and whether it is
listed in the platform's command menu. `/help`, the staff help and Telegram's command list are derived
from it, so a command cannot exist in one list and be missing from another."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.messages import Incoming, Reply
from handlers import delivery, handoff, menu, remind, smalltalk, staff, subscriptions, teaching
from handlers.context import Context
from handlers.indicators import chat as indicator_chat
from handlers.indicators import texts as indicators_text
from handlers.survey import conversation as survey
from handlers.survey import invite as survey_invite
from handlers.survey.export import survey_report
from handlers.texts import commands as text
from handlers.texts import general as general_text
from handlers.texts import menu as menu_text
from handlers.tips import conversation as tips
from handlers.tips import staff as tips_staff

Run = Callable[[Context, Incoming, str], list[Reply]]


@dataclass(frozen=True)
class Command:
    name: str
    run: Run
    help: str
    staff_only: bool = False
    in_menu: bool = False  # listed in the platform's command menu (Telegram's setMyCommands)
    app_menu: str | None = None  # its label in an app's menu bar (WeCom's app menu), in this table's order


def _help(ctx: Context, incoming: Incoming, _argument: str) -> list[Reply]:
    replies = [smalltalk.reply(smalltalk.Kind.HELP)]
    if ctx.is_staff(incoming):
        lines = [f"/{c.name} {c.help}" for c in COMMANDS if c.staff_only]
        replies.append(Reply("\n".join([text.STAFF_HELP_TITLE, *lines, text.STAFF_HELP_HANDOFF])))
    return replies


def _cancel(ctx: Context, incoming: Incoming, _argument: str) -> list[Reply]:
    row, notices = handoff.current(ctx.session, incoming, ctx.now)
    if row is not None:
        return handoff.end_by_user(ctx.session, incoming, now=ctx.now)
    if (dropped := tips.cancel(ctx.session, incoming, ctx.media)) is not None:
        return [*notices, *dropped]
    return notices or [Reply(menu_text.CANCELLED)]


def _privacy(_ctx: Context, _incoming: Incoming, _argument: str) -> list[Reply]:
    return [Reply(general_text.PRIVACY_NOTICE)]


COMMANDS: tuple[Command, ...] = (
    Command("start", menu.main_menu, text.START, in_menu=True),
    Command("menu", menu.browse, text.MENU, in_menu=True, app_menu=text.APP_ASK),
    Command("survey", survey.start, text.SURVEY, in_menu=True, app_menu=text.APP_SURVEY),
    Command("tip", tips_staff.tip_command, text.TIP, in_menu=True, app_menu=text.APP_TIP),
    Command("human", handoff.human, text.HUMAN, in_menu=True, app_menu=text.APP_HUMAN),
    Command("help", _help, text.HELP, in_menu=True, app_menu=text.APP_HELP),
    Command("subscribe", subscriptions.subscribe, text.SUBSCRIBE, in_menu=True),
    Command("mydeadlines", subscriptions.my_deadlines, text.MYDEADLINES, in_menu=True, app_menu=text.APP_DEADLINES),
    Command("unsubscribe", subscriptions.unsubscribe, text.UNSUBSCRIBE),
    Command("cancel", _cancel, text.CANCEL, in_menu=True),
    Command("privacy", _privacy, text.PRIVACY),
    Command("tip_status", tips_staff.status_command, text.TIP_STATUS),
    Command("tips", tips_staff.list_command, text.TIPS, staff_only=True),
    Command("unanswered", teaching.unanswered, text.UNANSWERED, staff_only=True),
    Command("teach", teaching.command, text.TEACH, staff_only=True),
    Command("stats", staff.stats, text.STATS, staff_only=True),
    Command("remind", remind.add, text.REMIND, staff_only=True),
    Command("reminders", remind.listing, text.REMINDERS, staff_only=True),
    Command("survey_open", survey.open_command, text.SURVEY_OPEN, staff_only=True),
    Command("survey_close", survey.close_command, text.SURVEY_CLOSE, staff_only=True),
    Command("survey_invite", survey_invite.invite, text.SURVEY_INVITE, staff_only=True),
    Command("report", survey_report, text.REPORT, staff_only=True),
    Command("outbox", delivery.status, text.OUTBOX, staff_only=True),
    Command("reply", handoff.reply_command, text.REPLY, staff_only=True),
    Command("end", handoff.end_command, text.END, staff_only=True),
    Command("indicators", indicator_chat.listing, indicators_text.HELP_LIST, staff_only=True),
    Command("indicator", indicator_chat.set_value, indicators_text.HELP_SET, staff_only=True),
)
BY_NAME = {command.name: command for command in COMMANDS}


def menu_commands() -> list[tuple[str, str]]:
    """(name, description) for the platform's command menu."""
    return [(c.name, c.help) for c in COMMANDS if c.in_menu]


def _typed_key(message: str) -> str:
    return _NOT_A_WORD.sub("", message)


_NOT_A_WORD = re.compile(r"[\W_]+")
TYPED: dict[str, str] = {_typed_key(word): name for name, words in text.TYPED.items() for word in words}
TYPED.update({_typed_key(c.app_menu): c.name for c in COMMANDS if c.app_menu})


def typed_command(message: str) -> str | None:
    """The command a message names in words (我要举报, 转人工, 结束人工, 满意度调查…), when it is exactly that."""
    return TYPED.get(_typed_key(message)) if len(message) <= 12 else None


def app_menu_commands() -> list[tuple[str, str]]:
    """(label, name) for an app's menu bar (WeCom's), in the table's order."""
    return [(c.app_menu, c.name) for c in COMMANDS if c.app_menu]
