"""Legal deadlines from domain-facts.md, as pure date arithmetic (reminders build on these).

Trademarks (Trademark Law art. 39–40): valid ten years from approval; renew within the twelve months
before expiry; a six-month grace period after it; then the mark is cancelled.
Patents (Patent Law art. 42–44; Rules art. 114–115): terms of 20 (invention), 10 (utility model) and 15
(design; 10 for designs filed before 2021-06-01) years from the filing date. The fee for each patent year
is due before that year begins (the grant-year fee is paid with the grant formalities); six months' grace,
with a surcharge of 5 % of that year's fee for each month or part of a month late.

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
    due: dt.date  # last day to pay without a surcharge
    grace_ends: dt.date  # last day to pay with the surcharge; afterwards the patent lapses


def annual_fee(filed: dt.date, year: int) -> AnnualFee:
    starts = add_years(filed, year - 1)
    return AnnualFee(year, starts - ONE_DAY, add_months(starts, GRACE_MONTHS) - ONE_DAY)


def upcoming_annual_fees(kind: PatentKind, filed: dt.date, today: dt.date, count: int = 1) -> list[AnnualFee]:
    """The next `count` annual fees whose grace period has not run out, within the patent's term."""
    fees = []
    for year in range(2, kind.years(filed) + 1):
        fee = annual_fee(filed, year)
        if fee.grace_ends >= today:
            fees.append(fee)
            if len(fees) == count:
                break
    return fees


def surcharge_percent(fee: AnnualFee, paid: dt.date) -> int | None:
    """Surcharge as a percentage of that year's fee: 0 on time, 5 per month or part of a month late,
    None after the grace period (too late: the patent has lapsed)."""
    if paid <= fee.due:
        return 0
    if paid > fee.grace_ends:
        return None
    months = 1
    while add_months(fee.due + ONE_DAY, months) <= paid:
        months += 1
    return SURCHARGE_PER_MONTH * months


def reminder_days(deadline: dt.date, today: dt.date, leads: tuple[int, ...] = DEFAULT_LEADS) -> list[dt.date]:
    """The days to remind on, `leads` days before the deadline, that are still ahead (or today)."""
    return sorted(day for day in {deadline - dt.timedelta(days=lead) for lead in leads} if day >= today)
