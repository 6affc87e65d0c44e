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


def test_annual_fee_due_before_the_patent_year_and_grace() -> None:
    # filed 10 March 2021: year 4 starts 10 March 2024, so its fee is due by 9 March; grace to 9 September
    fee = annual_fee(D(2021, 3, 10), 4)
    assert (fee.due, fee.grace_ends) == (D(2024, 3, 9), D(2024, 9, 9))


def test_annual_fee_for_a_patent_filed_on_31_august() -> None:
    fee = annual_fee(D(2019, 8, 31), 2)
    # year 2 starts 31 August 2020: due 30 August; grace ends the day before 28 Feb 2021 (month end)
    assert (fee.due, fee.grace_ends) == (D(2020, 8, 30), D(2021, 2, 27))


def test_surcharge_is_five_percent_per_month_or_part() -> None:
    fee = annual_fee(D(2021, 3, 10), 4)  # due 9 March 2024
    assert surcharge_percent(fee, D(2024, 3, 9)) == 0
    assert surcharge_percent(fee, D(2024, 3, 10)) == 5  # one day late
    assert surcharge_percent(fee, D(2024, 4, 9)) == 5
    assert surcharge_percent(fee, D(2024, 4, 10)) == 10
    assert surcharge_percent(fee, D(2024, 9, 9)) == 30
    assert surcharge_percent(fee, D(2024, 9, 10)) is None  # lapsed


def test_upcoming_fees_skip_those_whose_grace_has_run_out() -> None:
    fees = upcoming_annual_fees(PatentKind.UTILITY_MODEL, D(2021, 3, 10), today=D(2024, 6, 1), count=2)
    assert [(f.year, f.due) for f in fees] == [(4, D(2024, 3, 9)), (5, D(2025, 3, 9))]  # year 4 still in grace
    assert upcoming_annual_fees(PatentKind.UTILITY_MODEL, D(2010, 3, 10), today=D(2024, 6, 1)) == []


def test_reminders_at_90_30_and_7_days_still_ahead() -> None:
    deadline = D(2026, 3, 13)
    assert reminder_days(deadline, today=D(2025, 12, 1)) == [D(2025, 12, 13), D(2026, 2, 11), D(2026, 3, 6)]
    assert reminder_days(deadline, today=D(2026, 3, 1)) == [D(2026, 3, 6)]


def test_a_design_filed_before_june_2021_keeps_ten_years_and_one_filed_after_gets_fifteen() -> None:
    from scheduler.deadlines import PatentKind, patent_term_ends

    assert patent_term_ends(PatentKind.DESIGN, dt.date(2021, 5, 31)) == dt.date(2031, 5, 30)
    assert patent_term_ends(PatentKind.DESIGN, dt.date(2021, 6, 1)) == dt.date(2036, 5, 31)
