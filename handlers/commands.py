"""Every chat command in one table: name, what runs it, who may use it, its help line and whether it is
listed in the platform's command menu. `/help`, the staff help and Telegram's command list are derived
from it, so a command cannot exist in one list and be missing from another."""

from __future__ import annotations

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
from handlers.texts import handoff as handoff_text
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


def _end(ctx: Context, incoming: Incoming, argument: str) -> list[Reply]:
    number = argument.strip()
    if number.isdigit():
        return handoff.end_by_staff(ctx.session, int(number), ctx.now)
    replied = handoff.number_replied_to(incoming)
    return handoff.end_by_staff(ctx.session, replied, ctx.now) if replied else [Reply(handoff_text.STAFF_HOW)]


def _reply(ctx: Context, _incoming: Incoming, argument: str) -> list[Reply]:
    number, _, message = argument.strip().partition(" ")
    if not number.isdigit() or len(number) > 12 or not message.strip():
        return [Reply(handoff_text.STAFF_HOW)]
    return handoff.reply_from_staff(ctx.session, int(number), message.strip(), ctx.now)


def _report(ctx: Context, _incoming: Incoming, _argument: str) -> list[Reply]:
    return survey_report(ctx.session, ctx.survey)


COMMANDS: tuple[Command, ...] = (
    Command("start", lambda ctx, i, a: [menu.main_menu()], text.START, in_menu=True),
    Command("menu", lambda ctx, i, a: [menu.categories(ctx.engine)], text.MENU, in_menu=True,
            app_menu=text.APP_ASK),
    Command("survey", lambda ctx, i, a: survey.start(ctx.session, i, ctx.survey, ctx.survey_salt, ctx.now),
            text.SURVEY, in_menu=True, app_menu=text.APP_SURVEY),
    Command("tip", tips_staff.tip_command, text.TIP, in_menu=True, app_menu=text.APP_TIP),
    Command("human", lambda ctx, i, a: handoff.request(ctx.session, i, None, ctx.engine, now=ctx.now), text.HUMAN,
            in_menu=True, app_menu=text.APP_HUMAN),
    Command("help", _help, text.HELP, in_menu=True, app_menu=text.APP_HELP),
    Command("subscribe", lambda ctx, i, a: subscriptions.subscribe(ctx.session, i, a, ctx.zone, ctx.now),
            text.SUBSCRIBE, in_menu=True),
    Command("mydeadlines", lambda ctx, i, a: subscriptions.my_deadlines(ctx.session, i, ctx.zone), text.MYDEADLINES,
            in_menu=True, app_menu=text.APP_DEADLINES),
    Command("unsubscribe", lambda ctx, i, a: subscriptions.unsubscribe(ctx.session, i, a), text.UNSUBSCRIBE),
    Command("cancel", _cancel, text.CANCEL, in_menu=True),
    Command("tip_status", tips_staff.status_command, text.TIP_STATUS),
    Command("tips", tips_staff.list_command, text.TIPS, staff_only=True),
    Command("unanswered", teaching.unanswered, text.UNANSWERED, staff_only=True),
    Command("teach", teaching.command, text.TEACH, staff_only=True),
    Command("stats", lambda ctx, i, a: staff.stats(ctx.session, ctx.now), text.STATS, staff_only=True),
    Command("remind", lambda ctx, i, a: remind.add(ctx.session, i, a, ctx.staff_ids, ctx.zone, ctx.now),
            text.REMIND, staff_only=True),
    Command("reminders", lambda ctx, i, a: remind.listing(ctx.session, ctx.zone), text.REMINDERS, staff_only=True),
    Command("survey_open", lambda ctx, i, a: survey.staff_open(ctx.session, a, ctx.now), text.SURVEY_OPEN,
            staff_only=True),
    Command("survey_close", lambda ctx, i, a: survey.staff_close(ctx.session, ctx.now), text.SURVEY_CLOSE,
            staff_only=True),
    Command("survey_invite", lambda ctx, i, a: survey_invite.invite(ctx.session, a, ctx.staff_ids, ctx.now),
            text.SURVEY_INVITE, staff_only=True),
    Command("report", _report, text.REPORT, staff_only=True),
    Command("outbox", lambda ctx, i, a: delivery.status(ctx.session), text.OUTBOX, staff_only=True),
    Command("reply", _reply, text.REPLY, staff_only=True),
    Command("end", _end, text.END, staff_only=True),
    Command("indicators", lambda ctx, i, a: indicator_chat.listing(ctx.session), indicators_text.HELP_LIST,
            staff_only=True),
    Command("indicator", lambda ctx, i, a: indicator_chat.set_value(ctx.session, i, a, ctx.now),
            indicators_text.HELP_SET, staff_only=True),
)
BY_NAME = {command.name: command for command in COMMANDS}


def menu_commands() -> list[tuple[str, str]]:
    """(name, description) for the platform's command menu."""
    return [(c.name, c.help) for c in COMMANDS if c.in_menu]


def app_menu_commands() -> list[tuple[str, str]]:
    """(label, name) for an app's menu bar (WeCom's), in the table's order."""
    return [(c.app_menu, c.name) for c in COMMANDS if c.app_menu]
