"""Staff /survey_invite: invite people to the open survey wave through the outbox (the same delivery path as
reminders). Everyone who has asked the bot in a private chat, answered a survey or subscribed to deadlines is invited,
except staff and those who already finished this wave; `订阅` limits it to subscribers, and explicit
recipients (telegram:123 wecom:zhangsan) to those. Each person is invited once per wave."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.messages import SURVEY_INVITE, Address, Button, Incoming, Reply, parse_target
from bot.core.models import QuestionLog, Subscription, SurveyResponse, SurveyWave
from bot.core.outbox import enqueue
from handlers.context import Context
from handlers.survey import texts as text
from handlers.survey.conversation import open_wave
from scheduler import reminders

START_PAYLOAD = "s"


def _pair(recipient: str) -> tuple[str, str]:
    target = parse_target(recipient)
    return (target.channel, target.chat) if isinstance(target, Address) else (target.channel, "")


def _everyone(session: Session) -> set[tuple[str, str]]:
    asked = session.execute(select(QuestionLog.channel, QuestionLog.chat_id)
                            .where(QuestionLog.chat_id == QuestionLog.user_id).distinct())
    answered = session.execute(select(SurveyResponse.channel, SurveyResponse.user_id).distinct())
    return {(channel, chat) for channel, chat in [*asked, *answered]} | _subscribers(session)


def _subscribers(session: Session) -> set[tuple[str, str]]:
    rows = session.execute(select(Subscription.channel, Subscription.chat_id)
                           .where(Subscription.active.is_(True)).distinct())
    return {(channel, chat) for channel, chat in rows}


def _finished(session: Session, wave: SurveyWave) -> set[tuple[str, str]]:
    rows = session.execute(select(SurveyResponse.channel, SurveyResponse.user_id).where(
        SurveyResponse.wave_id == wave.id, SurveyResponse.step == "done"))
    return {(channel, user) for channel, user in rows}


def invite(ctx: Context, _incoming: Incoming, argument: str) -> list[Reply]:
    """/survey_invite [订阅 | recipients]: queue the invitation to the people who have not answered yet."""
    session, staff_ids, now = ctx.session, ctx.staff_ids, ctx.now
    wave = open_wave(session)
    if wave is None:
        return [Reply(text.INVITE_NO_WAVE)]
    words = argument.split()
    if not words:
        audience = _everyone(session)
    elif words == ["订阅"]:
        audience = _subscribers(session)
    else:
        try:
            audience = {_pair(r) for r in reminders.parse_recipients(words)}
        except reminders.ReminderError:
            return [Reply(text.INVITE_HOW)]
    audience = {pair for pair in audience if pair[1]}  # people, not a staff group
    audience -= {_pair(s) for s in staff_ids if ":" in s}
    finished = audience & _finished(session, wave)
    invitation = Reply(text.INVITATION.format(wave=wave.name), ((Button(text.INVITE_BUTTON, START_PAYLOAD),),),
                       kind=SURVEY_INVITE)
    queued = 0
    for channel, chat_id in sorted(audience - finished):
        if enqueue(session, Address(channel, chat_id), invitation, key=f"survey-invite:{wave.id}:{channel}:{chat_id}",
                   now=now):
            queued += 1
    return [Reply(text.INVITED.format(wave=wave.name, queued=queued, finished=len(finished),
                                      before=len(audience) - len(finished) - queued))]
