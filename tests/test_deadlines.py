"""Deadline calculators on hand-worked cases, 29 February and month ends included."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.deadlines import (
    PatentKind,
    add_months,
    annual_fee,
    patent_term_ends,
    reminder_days,
    surcharge_percent,
    trademark_deadlines,
    upcoming_annual_fees,
)

D = dt.date


@pytest.mark.parametrize(("start", "months", "expected"), [
    (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap February
    (D(2023, 1, 31), 1, D(2023, 2, 28)),
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2024, 8, 31), 6, D(2025, 2, 28)),
    (D(2025, 3, 31), -1, D(2025, 2, 28)),
    (D(2025, 12, 15), 1, D(2026, 1, 15)),
])
def test_adding_months_clamps_to_the_month_end(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


def test_trademark_approved_on_an_ordinary_day() -> None:
    # approved 14 March 2016: valid to 13 March 2026; renew from 14 March 2025; grace to 13 September 2026
    d = trademark_deadlines(D(2016, 3, 14))
    assert (d.renewal_opens, d.expires, d.grace_ends) == (D(2025, 3, 14), D(2026, 3, 13), D(2026, 9, 13))


def test_trademark_approved_on_29_february() -> None:
    # anniversary in 2026 falls on 28 February: valid to 27 February, grace to 27 August
    d = trademark_deadlines(D(2016, 2, 29))
    assert (d.renewal_opens, d.expires, d.grace_ends) == (D(2025, 2, 28), D(2026, 2, 27), D(2026, 8, 27))


def test_trademark_after_one_renewal() -> None:
    assert trademark_deadlines(D(2006, 8, 31), renewals=1).expires == D(2026, 8, 30)
    assert trademark_deadlines(D(2006, 8, 31), renewals=1).grace_ends == D(2027, 2, 27)  # 28 Feb 2027 - 1 day


@pytest.mark.parametrize(("kind", "expected"), [
    (PatentKind.INVENTION, D(2040, 5, 31)),
    (PatentKind.UTILITY_MODEL, D(2030, 5, 31)),
    (PatentKind.DESIGN, D(2030, 5, 31)),  # filed before 2021-06-01: the old 10 years
])
def test_patent_terms_count_from_the_filing_date(kind: PatentKind, expected: dt.date) -> None:
    assert patent_term_ends(kind, D(2020, 6, 1)) == expected


def test_annual_fee_is_due_on_the_filing_date_anniversary_with_six_months_grace() -> None:
    # filed 10 March 2021: year 4 runs 10 March 2024 – 9 March 2025; CNIPA gives 10 March 2024 (the
    # anniversary) as the due date, and the grace period ends six months later, on 10 September 2024
    fee = annual_fee(D(2021, 3, 10), 4)
    assert (fee.due, fee.grace_ends) == (D(2024, 3, 10), D(2024, 9, 10))


def test_annual_fee_for_a_patent_filed_on_31_august() -> None:
    fee = annual_fee(D(2019, 8, 31), 2)
    # year 2 starts 31 August 2020, the due date; + 6 months = 31 February 2021, which does not exist:
    # the month's last day, 28 February 2021
    assert (fee.due, fee.grace_ends) == (D(2020, 8, 31), D(2021, 2, 28))


def test_annual_fee_for_a_patent_filed_on_29_february() -> None:
    # year 2 starts on the anniversary, 28 February 2021 (no 29th); + 6 months = 28 August 2021
    fee = annual_fee(D(2020, 2, 29), 2)
    assert (fee.due, fee.grace_ends) == (D(2021, 2, 28), D(2021, 8, 28))


def test_surcharge_none_in_the_first_month_then_five_percent_a_month_up_to_25() -> None:
    fee = annual_fee(D(2021, 3, 10), 4)  # due 10 March 2024, grace to 10 September 2024
    assert surcharge_percent(fee, D(2024, 3, 1)) == 0  # early
    assert surcharge_percent(fee, D(2024, 3, 10)) == 0  # on the due date
    assert surcharge_percent(fee, D(2024, 3, 11)) == 0  # one day late: within the first month, no surcharge
    assert surcharge_percent(fee, D(2024, 4, 10)) == 0  # exactly one month late: still the first month
    assert surcharge_percent(fee, D(2024, 4, 11)) == 5  # more than 1 month, up to 2 months
    assert surcharge_percent(fee, D(2024, 5, 10)) == 5
    assert surcharge_percent(fee, D(2024, 5, 11)) == 10  # more than 2 months
    assert surcharge_percent(fee, D(2024, 7, 11)) == 20  # more than 4 months
    assert surcharge_percent(fee, D(2024, 8, 11)) == 25  # more than 5 months
    assert surcharge_percent(fee, D(2024, 9, 10)) == 25  # the last day of grace: 25 % at most
    assert surcharge_percent(fee, D(2024, 9, 11)) is None  # lapsed


def test_surcharge_months_clamp_at_month_ends() -> None:
    fee = annual_fee(D(2019, 8, 31), 2)  # due 31 August 2020
    # one month after 31 August is 30 September: paying then is within the first month, 1 October is not
    assert surcharge_percent(fee, D(2020, 9, 30)) == 0
    assert surcharge_percent(fee, D(2020, 10, 1)) == 5
    assert surcharge_percent(fee, D(2021, 2, 28)) == 25  # grace ends 28 February 2021
    assert surcharge_percent(fee, D(2021, 3, 1)) is None


def test_upcoming_fees_skip_those_whose_grace_has_run_out() -> None:
    fees = upcoming_annual_fees(PatentKind.UTILITY_MODEL, D(2021, 3, 10), today=D(2024, 6, 1), count=2)
    # year 4 was due 10 March 2024 and is still in grace (to 10 September); year 5 is due 10 March 2025
    assert [(f.year, f.due) for f in fees] == [(4, D(2024, 3, 10)), (5, D(2025, 3, 10))]
    assert upcoming_annual_fees(PatentKind.UTILITY_MODEL, D(2010, 3, 10), today=D(2024, 6, 1)) == []


def test_upcoming_fees_start_after_the_grant_year_when_the_grant_date_is_known() -> None:
    # the Guidelines' example: filed 3 June 1997, granted 1 August 2001, i.e. in year 5 (3 June 2001 –
    # 2 June 2002), whose fee is paid with the grant formalities: the first fee to remind of is year 6's,
    # due 3 June 2002 — none for years 2–4, which never existed
    fees = upcoming_annual_fees(PatentKind.INVENTION, D(1997, 6, 3), today=D(2001, 8, 1), count=2,
                                granted=D(2001, 8, 1))
    assert [(f.year, f.due) for f in fees] == [(6, D(2002, 6, 3)), (7, D(2003, 6, 3))]
    # granted on an anniversary (3 June 2001 starts year 5): year 5's fee goes with the grant, so year 6 again
    granted_on_anniversary = upcoming_annual_fees(PatentKind.INVENTION, D(1997, 6, 3), today=D(2001, 6, 3),
                                                  granted=D(2001, 6, 3))
    assert [f.year for f in granted_on_anniversary] == [6]
    # without a grant date the grant year is unknown: from year 2 on (the reminder text says so)
    unknown = upcoming_annual_fees(PatentKind.INVENTION, D(1997, 6, 3), today=D(1997, 6, 3))
    assert [(f.year, f.due) for f in unknown] == [(2, D(1998, 6, 3))]


def test_reminders_at_90_30_and_7_days_still_ahead() -> None:
    deadline = D(2026, 3, 13)
    assert reminder_days(deadline, today=D(2025, 12, 1)) == [D(2025, 12, 13), D(2026, 2, 11), D(2026, 3, 6)]
    assert reminder_days(deadline, today=D(2026, 3, 1)) == [D(2026, 3, 6)]


def test_a_design_filed_before_june_2021_keeps_ten_years_and_one_filed_after_gets_fifteen() -> None:
    from scheduler.deadlines import PatentKind, patent_term_ends

    assert patent_term_ends(PatentKind.DESIGN, dt.date(2021, 5, 31)) == dt.date(2031, 5, 30)
    assert patent_term_ends(PatentKind.DESIGN, dt.date(2021, 6, 1)) == dt.date(2036, 5, 31)
