"""线索: the infringement reports (handlers/tips/) as staff work on them — a filtered, paged list with the
reports about the same shop or link together, a report in full with its record and photos, moving it to its
next status (the reporter told through the outbox, as the chat's /tip 编号 状态 说明 does), and a month's
reports as a workbook (contact details only for an admin who asks, and then in the audit log).

Photos are served by this signed-in page from the media folder (ConsoleDeps.media), never as static files."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from tornado.web import HTTPError

from bot.console import texts
from bot.console.web import ConsoleHandler
from bot.core.models import Tip, TipPhoto
from bot.core.outbox import enqueue
from handlers.tips import export as tips_export
from handlers.tips import photos as tip_photos
from handlers.tips import query as tips_query
from handlers.tips import status as tips_status
from handlers.tips import texts as tip_text
from handlers.tips.query import TipView

PAGE_SIZE = 50
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "BMP": "image/bmp",
               "WEBP": "image/webp"}
COUNTIES = (*tip_text.COUNTIES, tip_text.ONLINE, tip_text.ELSEWHERE)
PHOTO_STATES = {"pending": "正在保存", "rejected": "未保存", "deleted": "已删除"}


@dataclass(frozen=True)
class Filters:
    status: str
    county: str
    kind: str
    page: int

    def query(self, **changed: object) -> str:
        values = {"status": self.status, "county": self.county, "kind": self.kind, "page": self.page, **changed}
        return urlencode({k: v for k, v in values.items() if v not in ("", None, 1)})


def place_of(view: TipView) -> str:
    return " · ".join(part for part in (view.county, view.place) if part) or tip_text.NOT_GIVEN


def actor_name(actor: str) -> str:
    return "举报人" if actor == tips_status.REPORTER else actor


class TipsPage(ConsoleHandler):
    def filters(self) -> Filters:
        status = self.get_query_argument("status", "")[:20]
        if status not in ("", "open", *tip_text.STATUS):
            status = ""
        county = self.get_query_argument("county", "")[:40]
        kind = self.get_query_argument("kind", "")
        if kind not in tip_text.KINDS:
            kind = ""
        try:
            page = max(1, min(int(self.get_query_argument("page", "1")), 100_000))
        except ValueError:
            page = 1
        return Filters(status, county, kind, page)

    async def show(self, error: str | None = None, status: int = 200) -> None:
        wanted = self.filters()

        def load(session: Session) -> tuple[int, list[TipView]]:
            status, county, kind = wanted.status or None, wanted.county or None, wanted.kind or None
            return (tips_query.count_tips(session, status, county, kind),
                    tips_query.list_tips(session, status, county, kind, limit=PAGE_SIZE,
                                         offset=(wanted.page - 1) * PAGE_SIZE))

        total, views = await self.read(load)
        month = self.get_query_argument("month", "") or self.deps.clock().astimezone(self.deps.zone).strftime("%Y-%m")
        self.page("tips.html", error=error, status=status, filters=wanted, total=total,
                  pages=max(1, math.ceil(total / PAGE_SIZE)), groups=tips_query.grouped(views),
                  statuses=tip_text.STATUS, kinds=tip_text.KINDS, counties=COUNTIES, place_of=place_of,
                  month=month[:7])

    async def get(self) -> None:
        await self.show()


class TipPage(ConsoleHandler):
    async def show(self, number: str, error: str | None = None, note: str = "") -> None:
        tip = await self.read(lambda s: tips_query.get_tip(s, number, include_contacts=True))
        if tip is None:
            raise HTTPError(404)
        # A reporter's contact: admins see it, and each look is in the audit log; other staff see that there is one
        contact = tip.contact
        if contact and self.me.is_admin:
            await self.change(lambda s: self.audit(s, "tip.contact", number))
        elif contact:
            contact = texts.CONTACT_ADMINS_ONLY
        self.page("tip.html", error=error, tip=tip, contact=contact, note=note, statuses=tip_text.STATUS,
                  kinds=tip_text.KINDS,
                  allowed=tips_status.TRANSITIONS.get(tip.status, ()), place=place_of(tip),
                  actor_name=actor_name, photo_states=PHOTO_STATES, max_note=tips_status.MAX_NOTE_CHARS)

    async def get(self, number: str) -> None:
        await self.show(number)


class TipMove(TipPage):
    async def get(self, number: str) -> None:
        raise HTTPError(405)

    async def post(self, number: str) -> None:
        wanted, note = self.form("status").strip()[:20], self.form("note").strip()
        actor, zone, now = f"{self.me.name}（工作台）", self.deps.zone, self.deps.clock()
        if wanted in tips_status.NEEDS_NOTE and not note:  # said at once, in the console's words (not /tip …)
            await self.show(number, texts.TIP_NEED_NOTE.format(status=tip_text.STATUS[wanted]))
            return
        if wanted in tips_status.ENDED and not self.confirmed():  # a final status: asked first
            current = await self.read(lambda s: getattr(tips_status.find(s, number), "status", None))
            if current is None or current == "draft":
                raise HTTPError(404)
            if wanted in tips_status.TRANSITIONS.get(current, ()):
                title, message, button = texts.CONFIRM_TIP_FINAL
                self.ask_to_confirm(title, message.format(number=number, status=tip_text.STATUS[wanted]), button,
                                    f"/console/tips/{number}", {"status": wanted, "note": note})
                return

        def act(session: Session) -> tips_status.Moved:
            tip = tips_status.find(session, number)
            if tip is None or tip.status == "draft":
                raise HTTPError(404)
            before = tip.status
            moved = tips_status.move(session, number, wanted, note or None, actor, zone, now)
            if moved.ok:
                self.audit(session, "tip.move", f"{number} {tip_text.STATUS[before]} → "
                                                f"{tip_text.STATUS[tip.status]}" + (f"：{note}" if note else ""))
                if moved.news is not None and moved.news.to is not None:
                    enqueue(session, moved.news.to, moved.news, now=now)
            return moved

        moved = await self.change(act)
        if not moved.ok:
            await self.show(number, moved.message, note=note)
            return
        self.deps.wake()
        self.done(moved.message, f"/console/tips/{number}")


class TipPhotoFile(ConsoleHandler):
    """A stored photo of a submitted report, to a signed-in page only (never cached)."""

    async def get(self, number: str) -> None:
        photo_id, media = int(number), self.deps.media

        def load(session: Session) -> bytes | None:
            photo = session.get(TipPhoto, photo_id)
            tip = session.get(Tip, photo.tip_id) if photo is not None else None
            if tip is None or tip.status == "draft":
                return None
            path = tips_query.photo_file(session, media, photo_id)
            try:
                return path.read_bytes() if path is not None else None
            except OSError:
                return None

        data = await self.read(load)
        kind = tip_photos.sniff(data) if data else None
        if data is None or kind not in IMAGE_TYPES:
            raise HTTPError(404)
        self.set_header("Content-Type", IMAGE_TYPES[kind])
        self.set_header("Cache-Control", "private, no-store, max-age=0")
        self.set_header("Content-Disposition", f'inline; filename="photo-{photo_id}"')
        self.finish(data)


class TipsExport(TipsPage):
    """A month's reports as XLSX; contact details only for an admin who ticks 含联系方式 (audited)."""

    async def get(self) -> None:
        month = self.get_query_argument("month", "").strip()
        contacts = self.get_query_argument("contacts", "") == "1"
        if contacts and not self.me.is_admin:
            raise HTTPError(403)
        found = MONTH.match(month)
        if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
            await self.show(texts.TIPS_BAD_MONTH, status=400)
            return
        year, number, zone = int(found.group(1)), int(found.group(2)), self.deps.zone
        since, until = tips_export.month_range(year, number, zone)
        data = await self.read(lambda s: tips_export.to_xlsx(s, zone, since, until, include_contacts=contacts))
        await self.change(lambda s: self.audit(s, "tip.export",
                                               month + ("（含联系方式）" if contacts else "")))
        self.set_header("Content-Type", XLSX)
        self.set_header("Content-Disposition", f'attachment; filename="tips-{month}.xlsx"')
        self.finish(data)

