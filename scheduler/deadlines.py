"""Legal deadlines from domain-facts.md, as pure date arithmetic (reminders build on these).

Trademarks (Trademark Law art. 39–40): valid ten years from approval; renew within the twelve months
before expiry; a six-month grace period after it; then the mark is cancelled.
Patents (Patent Law art. 42–44; Rules art. 114–115): terms of 20 (invention), 10 (utility model) and 15
(design; 10 for designs filed before 2021-06-01) years from the filing date. Patent years count from the
filing date. The fee of the year in which the patent is granted is paid with the grant formalities; each
later year's fee is due by that year's first day, the filing-date anniversary, which CNIPA gives as the
due date (paying on it is on time). Six months' grace from the due date; surcharge (Examination
Guidelines part V ch. 2): none within the first month after the due date, then 5 % of that year's fee per
further month or part of one (5 % after one month, 10 % after two, … 25 % after five), 25 % at most.

Dates are calendar dates. A year or month added to the 29th–31st lands on the last day of a shorter month
(29 February 2024 + 1 year = 28 February 2025). "Last day" means the final day on which the act is on time.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import Enum

ONE_DAY = dt.timedelta(days=1)
DEFAULT_LEADS = (90, 30, 7)
SURCHARGE_PER_MONTH = 5
SURCHARGE_FREE_MONTHS = 1
GRACE_MONTHS = 6


DESIGN_15_YEARS_FROM = dt.date(2021, 6, 1)


class PatentKind(Enum):
    INVENTION = "invention"
    UTILITY_MODEL = "utility_model"
    DESIGN = "design"

    def years(self, filed: dt.date) -> int:
        """The term in years (Patent Law art. 42): designs filed before the 2020 revision took effect
        (2021-06-01) keep the old 10 years."""
        if self is PatentKind.DESIGN:
            return 15 if filed >= DESIGN_15_YEARS_FROM else 10
        return {PatentKind.INVENTION: 20, PatentKind.UTILITY_MODEL: 10}[self]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the last day of that month when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


@dataclass(frozen=True)
class TrademarkDeadlines:
    renewal_opens: dt.date  # first day a renewal may be filed
    expires: dt.date  # last day of the ten-year term
    grace_ends: dt.date  # last day to renew late (with the extra fee)


def trademark_deadlines(approved: dt.date, renewals: int = 0) -> TrademarkDeadlines:
    """Deadlines of the current term (after `renewals` renewals, each adding ten years)."""
    term_start = add_years(approved, 10 * renewals)
    anniversary = add_years(term_start, 10)
    return TrademarkDeadlines(
        renewal_opens=add_months(anniversary, -12),
        expires=anniversary - ONE_DAY,
        grace_ends=add_months(anniversary, GRACE_MONTHS) - ONE_DAY,
    )


def patent_term_ends(kind: PatentKind, filed: dt.date) -> dt.date:
    """Last day of protection (before any term compensation)."""
    return add_years(filed, kind.years(filed)) - ONE_DAY


@dataclass(frozen=True)
class AnnualFee:
    year: int  # patent year, counted from the filing date (year 1 starts on it)
    due: dt.date  # the filing-date anniversary that starts the year: the last day to pay without a surcharge
    grace_ends: dt.date  # six months after `due`: the last day to pay with the surcharge; then the patent lapses


def annual_fee(filed: dt.date, year: int) -> AnnualFee:
    due = add_years(filed, year - 1)
    return AnnualFee(year, due, add_months(due, GRACE_MONTHS))


def patent_year(filed: dt.date, day: dt.date) -> int:
    """The patent year that `day` falls in (1 from the filing date to the day before its first anniversary)."""
    year = 1
    while add_years(filed, year) <= day:
        year += 1
    return year


def upcoming_annual_fees(kind: PatentKind, filed: dt.date, today: dt.date, count: int = 1,
                         granted: dt.date | None = None) -> list[AnnualFee]:
    """The next `count` annual fees whose grace period has not run out, within the patent's term.

    With the grant date (of the grant announcement) the first fee is the one after the grant year's, which
    is paid with the grant formalities. Without it the grant year is unknown: fees from year 2 on, each of
    which exists only if the patent was granted before that year began (callers must say so)."""
    first = patent_year(filed, granted) + 1 if granted is not None else 2
    fees = []
    for year in range(first, kind.years(filed) + 1):
        fee = annual_fee(filed, year)
        if fee.grace_ends >= today:
            fees.append(fee)
            if len(fees) == count:
                break
    return fees


def surcharge_percent(fee: AnnualFee, paid: dt.date) -> int | None:
    """Surcharge as a percentage of that year's fee: 0 up to the due date and within the first month after
    it (to the same day a month later, inclusive); then 5 for each further month or part of one, so 25 in
    the sixth month; None after the grace period (too late: the patent has lapsed)."""
    if paid > fee.grace_ends:
        return None
    months_over = sum(1 for months in range(SURCHARGE_FREE_MONTHS, GRACE_MONTHS)
                      if add_months(fee.due, months) < paid)
    return SURCHARGE_PER_MONTH * months_over


def reminder_days(deadline: dt.date, today: dt.date, leads: tuple[int, ...] = DEFAULT_LEADS) -> list[dt.date]:
    """The days to remind on, `leads` days before the deadline, that are still ahead (or today)."""
    return sorted(day for day in {deadline - dt.timedelta(days=lead) for lead in leads} if day >= today)
