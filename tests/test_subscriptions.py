"""Enterprises subscribe a trademark or patent and get reminders ahead of its legal deadlines."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.models import Reminder
from handlers.router import Router
from tests.helpers import Person


def _reminders(sessions: sessionmaker[Session]) -> list[Reminder]:
    with sessions() as session:
        return list(session.scalars(select(Reminder).order_by(Reminder.next_fire_at)))


def test_subscribing_a_trademark_schedules_its_renewal_reminders(router: Router,
                                                                  sessions: sessionmaker[Session]) -> None:
    today = dt.date.today()
    approved = today.replace(year=today.year - 10) + dt.timedelta(days=200)  # expires in about 200 days
    person = Person(router)
    person.says(f"/subscribe 商标 {approved.isoformat()} 精河红")
    assert "已订阅（编号1）：精河红" in person.text and "注册商标有效期届满" in person.text
    rows = _reminders(sessions)
    texts = [r.text for r in rows]
    assert any("注册商标有效期届满" in t and "还有90天" in t for t in texts)
    assert any("还有7天" in t for t in texts)
    assert all(r.recipients == ["terminal:u1"] for r in rows)
    assert all((r.next_fire_at.replace(tzinfo=dt.UTC) if r.next_fire_at.tzinfo is None else r.next_fire_at)
               .astimezone(router.zone).hour == 9 for r in rows)


def test_subscribing_a_patent_lists_annual_fees_and_unsubscribe_cancels(router: Router,
                                                                        sessions: sessionmaker[Session]) -> None:
    person = Person(router)
    person.says("/subscribe 实用新型 2021-03-10 烘干机")
    assert "专利年费缴费截止" in person.text and "专利保护期届满" not in person.text.split("\n")[1]
    person.says("/mydeadlines")
    assert "编号1：烘干机（实用新型专利，2021-03-10）" in person.text
    assert any(r.active for r in _reminders(sessions))
    person.says("/unsubscribe 1")
    assert "已取消订阅" in person.text
    assert not any(r.active for r in _reminders(sessions))
    person.says("/mydeadlines")
    assert "还没有订阅" in person.text


def test_a_patent_fee_reminder_gives_the_anniversary_the_surcharge_rules_and_the_pre_grant_caveat(
        router: Router, sessions: sessionmaker[Session]) -> None:
    from scheduler.deadlines import add_months, add_years

    due = dt.date.today() + dt.timedelta(days=100)
    filed = add_years(due, -3)  # year 4's fee is due on the third anniversary, about 100 days from now
    due = add_years(filed, 3)  # (the same day, unless the filing date was 29 February)
    person = Person(router)
    person.says(f"/subscribe 实用新型 {filed.isoformat()} 烘干机")
    assert f"{due.isoformat()}：第4年度专利年费缴费截止" in person.text  # the anniversary, not the day before
    assert "还没授权的申请不缴年费" in person.text  # the subscription knows no grant date: it says so
    fee_due = [r.text for r in _reminders(sessions) if "第4年度专利年费缴费截止" in r.text]
    assert len(fee_due) == 3 and "还有90天" in fee_due[0]
    for words in ("当天缴纳仍算按时", "逾期1个月以内不收滞纳金", "超过1个月加收当年全额年费的5%", "最多25%",
                  "2个月内可以请求恢复", "如果专利还没有授权，就没有这笔年费"):
        assert words in fee_due[0], words
    assert "每晚1个月加收" not in fee_due[0]
    grace = [r.text for r in _reminders(sessions) if "第4年度专利年费补缴期结束" in r.text]
    assert grace and all(f"日期是 {add_months(due, 6).isoformat()}" in t for t in grace)  # six months after it


def test_the_nightly_top_up_retires_reminders_whose_deadline_was_corrected(router: Router,
                                                                          sessions: sessionmaker[Session]) -> None:
    from handlers import subscriptions

    Person(router).says("/subscribe 发明 2021-03-10 节水阀")
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:  # as scheduled before the fix: one day early, with the old wording
        session.add(Reminder(text="【到期提醒】节水阀：第8年度专利年费缴费截止（旧）", recipients=["terminal:u1"],
                             next_fire_at=now + dt.timedelta(days=30), every_seconds=None, active=True,
                             subscription_id=1, created_at=now))
    with sessions.begin() as session:
        assert subscriptions.top_up(session, router.zone, now) == 0
    active = [r.text for r in _reminders(sessions) if r.active]
    assert active and not any("（旧）" in t for t in active)


def test_bad_subscriptions_are_explained(router: Router) -> None:
    person = Person(router)
    person.says("/subscribe")
    assert "订阅到期提醒" in person.text
    person.says("/subscribe 商标 明年三月")
    assert "日期没看懂" in person.text
    person.says("/subscribe 商标 2099-01-01")
    assert "这个日期还没到" in person.text
    person.says("/subscribe 实用新型 1990-01-01 老专利")
    assert "已经过了保护期" in person.text
    person.says("/unsubscribe 42")
    assert "没有找到编号为42的订阅" in person.text
    Person(router, "other").says("/subscribe 发明 2021-03-10")
    person.says("/unsubscribe 1")
    assert "没有找到编号为1的订阅" in person.text  # someone else's


def test_the_nightly_top_up_schedules_later_fees_once_and_skips_cancelled(router: Router,
                                                                          sessions: sessionmaker[Session]) -> None:
    from handlers import subscriptions

    Person(router, "a").says("/subscribe 发明 2021-03-10 节水阀")
    Person(router, "b").says("/subscribe 发明 2021-03-10 另一个")
    Person(router, "b").says("/unsubscribe 2")
    before = {r.text for r in _reminders(sessions) if r.active}
    assert any("第8年" in t for t in before) and not any("第9年" in t for t in before)  # the next two fees
    with sessions.begin() as session:
        assert subscriptions.top_up(session, router.zone, dt.datetime.now(dt.UTC)) == 0  # nothing new yet
    a_year_on = dt.date.today() + dt.timedelta(days=366)
    with sessions.begin() as session:
        added = subscriptions.top_up(session, router.zone, _noon(a_year_on))
    assert added > 0
    with sessions.begin() as session:
        assert subscriptions.top_up(session, router.zone, _noon(a_year_on)) == 0  # idempotent
    new = [r for r in _reminders(sessions) if r.active and r.text not in before]
    assert new and all(r.recipients == ["terminal:a"] and "第9年" in r.text for r in new)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
