"""A report's photos over WeChat: an image message's MediaId is fetched with /cgi-bin/media/get by the photo
downloader, cleaned as every channel's photos are (EXIF and GPS gone, turned upright) and attached to the
report; a MediaId WeChat no longer has is refused, nothing kept. Over the WeChat API double, callbacks
encrypted by wechatpy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.models import TipPhoto
from knowledge.service import KnowledgeService
from tests import wechat_stack
from tests.doubles.wechat_api import WeChatDouble
from tests.helpers import photo_with_gps, until
from tests.wechat_stack import Stack


@pytest.fixture
def stack(knowledge: KnowledgeService, sessions: sessionmaker[Session], database_url: str,
          tmp_path: Path) -> Iterator[Stack]:
    with WeChatDouble() as double:
        yield from wechat_stack.stack(double, knowledge, database_url, media_dir=str(tmp_path / "media"))


def _photos(stack: Stack) -> list[TipPhoto]:
    with stack.sessions() as session:
        return list(session.scalars(select(TipPhoto).order_by(TipPhoto.id)))


def test_a_photo_sent_on_wechat_opens_a_report_and_is_kept_cleaned(stack: Stack, tmp_path: Path) -> None:
    stack.double.media["MEDIA-1"] = photo_with_gps()
    assert stack.wechat.sends_image("oWitness", "MEDIA-1").body == "success"
    stack.double.wait_for_text("oWitness", "收到照片")
    (photo,) = until(lambda: [p for p in _photos(stack) if p.status != "pending"], what="the photo fetched")
    assert (photo.channel, photo.file_id, photo.status) == ("wechat", "MEDIA-1", "stored") and photo.file_name
    kept = (tmp_path / "media" / photo.file_name).read_bytes()
    assert b"PhoneMaker" not in kept
    with Image.open(tmp_path / "media" / photo.file_name) as image:
        assert 0x8825 not in image.getexif() and image.size == (48, 64)  # no GPS; turned upright


def test_a_photo_wechat_no_longer_has_is_refused(stack: Stack) -> None:
    assert stack.wechat.sends_image("oLate", "EXPIRED").body == "success"
    stack.double.wait_for_text("oLate", "收到照片")
    (photo,) = until(lambda: [p for p in _photos(stack) if p.status != "pending"], what="the photo refused")
    assert photo.status == "rejected" and photo.file_name is None
    assert any("invalid media_id" in r for r in stack.double.rejected)
