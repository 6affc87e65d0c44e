"""Report photos are checked by what they contain, not by their name, and kept without EXIF (no GPS)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from handlers.tips import photos as tip_photos
from tests.helpers import photo_with_gps


def test_exif_and_gps_are_gone_and_the_photo_is_upright() -> None:
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo does carry a position
    cleaned = tip_photos.clean(original)
    kept = Image.open(io.BytesIO(cleaned.data))
    assert dict(kept.getexif()) == {} and b"Exif" not in cleaned.data and b"PhoneMaker" not in cleaned.data
    assert kept.size == (48, 64)  # turned as the camera meant it
    assert cleaned.extension == "jpg"


def test_png_with_exif_and_transparency_stays_png_without_metadata() -> None:
    cleaned = tip_photos.clean(photo_with_gps("RGBA", "PNG"))
    assert cleaned.extension == "png" and b"eXIf" not in cleaned.data and b"PhoneMaker" not in cleaned.data


@pytest.mark.parametrize("data", [b"%PDF-1.7 a document", b"MZ\x90\x00 program", b"",
                                  b"\xff\xd8\xff" + b"not really a jpeg" * 10,  # the right magic, then rubbish
                                  b"GIF89a" + b"\x00" * 5])
def test_what_is_not_a_picture_is_refused(data: bytes) -> None:
    with pytest.raises(tip_photos.Rejected) as refused:
        tip_photos.clean(data)
    assert refused.value.reason == "not_image"


def test_a_png_named_like_a_jpeg_is_judged_by_its_content() -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "PNG")
    assert tip_photos.sniff(out.getvalue()) == "PNG"
    assert tip_photos.clean(out.getvalue()).extension == "jpg"  # a picture all the same, kept


def test_too_large_is_refused() -> None:
    with pytest.raises(tip_photos.Rejected) as refused:
        tip_photos.clean(photo_with_gps(), limit=100)
    assert refused.value.reason == "too_large"


def test_names_that_would_leave_the_folder_are_not_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "secret.txt").write_text("x")
    folder = tmp_path / "media"
    assert tip_photos.read(folder, "../secret.txt") is None and tip_photos.read(folder, ".hidden") is None
