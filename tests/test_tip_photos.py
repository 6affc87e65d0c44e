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


def _blank_png(width: int, height: int, color_type: int, bit_depth: int = 8) -> bytes:
    """A valid PNG of zeros, compressed row by row (never held decoded here): 6 is RGBA, 0 grey."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    channels = {0: 1, 2: 3, 6: 4}[color_type]
    row = b"\x00" * (1 + (width * channels * bit_depth + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_a_small_file_that_decodes_to_a_huge_picture_is_refused_from_its_header_in_bounded_memory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The probe's 230 KB PNG of 7,700 x 7,700 RGBA took the bot from 261 to 893 MB and 6.8 s: now it is refused
    by its header, in a fresh process whose peak memory stays that of Python with Pillow (nothing decoded)."""
    import subprocess
    import sys

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_blank_png(7700, 7700, 6))
    assert len(bomb.read_bytes()) < 1024 * 1024
    # the child reports its own peak (VmHWM belongs to its own memory map: not the parent's, which a fork copies)
    script = ("import sys, re; from pathlib import Path; from handlers.tips import photos as p\n"
              "try:\n    p.clean(Path(sys.argv[1]).read_bytes())\nexcept p.Rejected as e:\n    print(e.reason)\n"
              "print(re.search(r'VmHWM:\\s+(\\d+)', Path('/proc/self/status').read_text()).group(1))\n")
    done = subprocess.run([sys.executable, "-c", script, str(bomb)], capture_output=True, text=True, timeout=120)
    reason, peak_kb = done.stdout.split()
    assert reason == "too_many_pixels" and done.returncode == 0, done.stderr
    assert int(peak_kb) < 200 * 1024  # Python with Pillow alone is about 60 MB; decoding would be 600+


@pytest.mark.parametrize(("size", "color_type", "bit_depth"), [((9000, 9000), 0, 1), ((6400, 6400), 2, 8)])
def test_too_many_pixels_is_told_as_such_not_as_too_many_megabytes(size: tuple[int, int], color_type: int,
                                                                   bit_depth: int) -> None:
    data = _blank_png(*size, color_type, bit_depth)
    assert len(data) < tip_photos.MAX_BYTES  # small as a file: "over 10 MB" would be the wrong reason
    with pytest.raises(tip_photos.Rejected) as refused:
        tip_photos.clean(data)
    assert refused.value.reason == "too_many_pixels"
    from handlers.tips import texts

    assert "像素" in texts.PHOTO_REJECTED["too_many_pixels"] and "10MB" not in texts.PHOTO_REJECTED["too_many_pixels"]


def test_a_large_ordinary_photo_is_kept_at_a_bounded_size() -> None:
    out = io.BytesIO()
    Image.new("RGB", (6000, 4000), "green").save(out, "JPEG", quality=50)  # 24 Mpx: a phone in high-res mode
    cleaned = tip_photos.clean(out.getvalue())
    assert max(cleaned.width, cleaned.height) <= tip_photos.KEPT_SIDE and cleaned.extension == "jpg"
