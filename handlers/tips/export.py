"""The reports as a workbook for the monthly report: a list (without contact details unless asked) and a
summary by kind and status and by county."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.core.clock import zone_label
from bot.core.spreadsheets import Sheet
from bot.core.spreadsheets import to_xlsx as write_xlsx
from handlers.tips import query as tips_query
from handlers.tips import status as tips_status
from handlers.tips import texts as text

MAX_ROWS = 100_000


def month_range(year: int, month: int, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a calendar month in local time, as aware datetimes."""
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start, end


def to_xlsx(session: Session, zone: ZoneInfo, since: dt.datetime | None = None, until: dt.datetime | None = None,
            status: str | None = None, county: str | None = None, kind: str | None = None,
            include_contacts: bool = False) -> bytes:
    views = tips_query.list_tips(session, status, county, kind, since, until, limit=MAX_ROWS,
                                 include_contacts=include_contacts)
    zone_named = zone_label(zone, until)
    headers: list[object] = [*(h.format(zone=zone_named) for h in text.EXPORT_HEADERS),
                             *([text.EXPORT_CONTACT] if include_contacts else [])]
    listing: list[list[object]] = [headers]
    for view in reversed(views):  # oldest first, as a register reads
        full = tips_query.get_tip(session, view.number, include_contacts)
        events = full.events if full else ()
        record = "；".join(f"{tips_status.local(e.at, zone)} {text.STATUS[e.to_status]}"
                          + (f"：{e.note}" if e.note else "") for e in events)
        row: list[object] = [view.number, tips_status.local(view.submitted_at, zone),
                             text.KINDS.get(view.kind or "", ""),
                             view.right_name or "", view.county or "", view.place or "", view.description or "",
                             view.photo_count, text.STATUS[view.status], tips_status.local(view.updated_at, zone),
                             record]
        if include_contacts:
            row.append(view.contact or "")
        listing.append(row)
    summary: list[list[object]] = []
    statuses = list(text.STATUS)
    summary.append([text.EXPORT_BY_KIND, *(text.STATUS[s] for s in statuses), text.EXPORT_TOTAL])
    for kind_code, label in text.KINDS.items():
        mine = [v for v in views if v.kind == kind_code]
        summary.append([label, *(sum(v.status == s for v in mine) for s in statuses), len(mine)])
    summary.append([])
    summary.append([text.EXPORT_BY_COUNTY, text.EXPORT_TOTAL])
    for place in dict.fromkeys(v.county or "" for v in views):
        summary.append([place, sum((v.county or "") == place for v in views)])
    return write_xlsx([Sheet(text.EXPORT_LIST, listing), Sheet(text.EXPORT_SUMMARY, summary)])
