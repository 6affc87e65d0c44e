"""The report commands in chat: `/tip` (begin a report; with a number: staff see it whole with its photos,
anyone else only its status; with a number, a status and a note: staff move it), `/tip_status 编号` and
`/tips [状态]` (staff: the list, reports about the same shop or link together)."""

from __future__ import annotations

from bot.core.messages import Incoming, Reply
from handlers import staff
from handlers.context import Context
from handlers.tips import conversation as tips
from handlers.tips import photos as tip_photos
from handlers.tips import query as tips_query
from handlers.tips import status as tips_status
from handlers.tips import texts as text

LIST_LIMIT = 30


def tip_command(ctx: Context, incoming: Incoming, argument: str) -> list[Reply]:
    parts = argument.split(maxsplit=2)
    if not parts:
        return tips.start(ctx.session, incoming, ctx.now)
    number = tips_status.normalise_number(parts[0])
    if number is None:
        return [Reply(text.STAFF_MOVE_HOW if ctx.is_staff(incoming) else text.STATUS_HOW)]
    if len(parts) == 1:
        if ctx.is_staff(incoming):
            return detail(ctx, number)
        return [tips_status.status_reply(ctx.session, number, incoming.sender, False, ctx.zone)]
    if not ctx.is_staff(incoming):
        return staff.refused()
    moved = tips_status.move(ctx.session, number, parts[1], parts[2] if len(parts) > 2 else None,
                             str(incoming.sender), ctx.zone, ctx.now)
    return [Reply(moved.message), *([moved.news] if moved.news else [])]


def status_command(ctx: Context, incoming: Incoming, argument: str) -> list[Reply]:
    return [tips_status.status_reply(ctx.session, argument, incoming.sender, ctx.is_staff(incoming), ctx.zone)]


def detail(ctx: Context, number: str) -> list[Reply]:
    """A report in full for staff, then each stored photo as a picture."""
    view = tips_query.get_tip(ctx.session, number, include_contacts=True)
    if view is None:
        return [Reply(text.NOT_FOUND.format(number=number))]
    pending = sum(p.status == "pending" for p in view.photos)
    reporter = text.REPORTER_PURGED if view.purged else (view.reporter or "")
    lines = [text.STAFF_DETAIL.format(
        number=view.number, status=text.STATUS[view.status], submitted=tips_status.local(view.submitted_at, ctx.zone),
        kind=text.KINDS.get(view.kind or "", ""), right=f"（{view.right_name}）" if view.right_name else "",
        place=" · ".join(p for p in (view.county, view.place) if p) or text.NOT_GIVEN, what=view.description or "",
        contact=view.contact or (text.REPORTER_PURGED if view.purged else text.REPORTER_ANONYMOUS),
        reporter=reporter, photos=view.photo_count,
        pending=text.STAFF_PENDING_PHOTOS.format(n=pending) if pending else "")]
    if view.same_place:
        lines.append(text.STAFF_SAME_PLACE.format(numbers="、".join(view.same_place)).strip())
    lines.append(text.HISTORY_TITLE)
    for event in view.events:
        lines.append(text.HISTORY_LINE.format(at=tips_status.local(event.at, ctx.zone),
                                              status=text.STATUS[event.to_status],
                                              note=f"：{event.note}（{event.actor}）" if event.note
                                              else f"（{event.actor}）"))
    replies = [Reply("\n".join(lines))]
    stored = [p for p in view.photos if p.status == "stored"]
    for photo in stored:
        data = tip_photos.read(ctx.media, photo.file_name)
        if data is not None:
            replies.append(Reply(text.STAFF_PHOTO_CAPTION.format(number=view.number, position=photo.position,
                                                                 count=len(stored)),
                                 image=data, file_name=photo.file_name))
    return replies


def list_command(ctx: Context, _incoming: Incoming, argument: str) -> list[Reply]:
    wanted = argument.strip()
    if not wanted:
        status, what = "open", text.STAFF_LIST_OPEN
    elif wanted == text.STAFF_LIST_ALL:
        status, what = None, text.STAFF_LIST_ALL
    elif (code := tips_status.status_named(wanted)) is not None:
        status, what = code, text.STATUS[code]
    else:
        return [Reply(text.STAFF_LIST_HOW.format(statuses="、".join(text.STATUS.values())))]
    total = tips_query.count_tips(ctx.session, status)
    if not total:
        return [Reply(text.STAFF_LIST_NONE.format(what=what))]
    views = tips_query.list_tips(ctx.session, status, limit=LIST_LIMIT)
    lines = [text.STAFF_LIST_TITLE.format(what=what, count=total)]
    for group in tips_query.grouped(views):
        if len(group) > 1:
            lines.append(text.STAFF_LIST_GROUP.format(count=len(group), place=group[0].place or ""))
        for view in group:
            lines.append(("  " if len(group) > 1 else "") + text.STAFF_LIST_LINE.format(
                number=view.number, status=text.STATUS[view.status], kind=text.KINDS.get(view.kind or "", ""),
                place=" · ".join(p for p in (view.county, (view.place or "")[:40]) if p)))
    if total > len(views):
        lines.append(text.STAFF_LIST_MORE.format(n=total - len(views)))
    return [Reply("\n".join(lines))]
