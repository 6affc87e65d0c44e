"""Photos of infringement reports: checking them, cleaning them, keeping them in the media folder.

Why the files live in a folder and not in the database: a report may carry five photos of up to 10 MB,
which would make every backup, every `SELECT *` and PostgreSQL's WAL carry them too; the database keeps only
the row (file id, name, size, status) and the folder (`IPBOT_MEDIA_DIR`, by default a `media` folder beside
the SQLite file, or in the working folder for PostgreSQL) keeps the bytes under names nobody can guess
(the report's id, the photo's id and a random part). Nothing serves the folder: staff get a photo in chat
(`/tip 编号`) or through the console's staff session, never by URL.

How a photo travels: the channel gives the platform's file id (Incoming.photos); the conversation stores it
as a `pending` TipPhoto in its own transaction (so a crash loses nothing, and no download holds the
transaction open); the downloader (bot/photo_fetcher.py) fetches it from the platform, `clean` checks it by
its content (magic bytes, then Pillow opens and verifies it — the name and the platform's MIME type are not
trusted), turns it upright and saves it again without EXIF (so no GPS position or camera serial is kept),
and `stored` / `rejected` record the outcome in a short transaction of their own.
"""

from __future__ import annotations

import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 5
# Checked from the header, before anything is decoded: a phone photo is well under 40 Mpx; past that (or a
# decoded size past the budget, alpha and 16-bit bands counted) it is refused, so that a small file that
# decodes to gigabytes (a decompression bomb) never is.
MAX_PIXELS = 40_000_000
MAX_DECODED_BYTES = 160 * 1024 * 1024
KEPT_SIDE = 4096  # what is kept: at most this many pixels on the long side (JPEG decodes scaled down already)
MAGIC = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
         (b"BM", "BMP"))
ACCEPTED = frozenset({"JPEG", "PNG", "GIF", "BMP", "WEBP"})


class Rejected(Exception):
    """Not kept; `reason` is not_image | too_large | too_many_pixels (texts.tips.PHOTO_REJECTED)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Cleaned:
    data: bytes
    extension: str  # jpg | png
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    """The image format the first bytes announce, or None."""
    for magic, name in MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def too_many_pixels(image: Image.Image) -> bool:
    """From the header alone: more pixels, or more decoded bytes, than a phone photo has."""
    bands = len(image.getbands()) if image.mode else 4
    depth = 2 if image.mode.startswith("I;16") or image.mode in ("I", "F") else 1
    pixels = image.width * image.height
    return pixels > MAX_PIXELS or pixels * max(bands, 1) * depth > MAX_DECODED_BYTES


def clean(data: bytes, limit: int = MAX_BYTES) -> Cleaned:
    """The photo checked by its content and saved again without metadata; Rejected when it is not a picture
    or is too large."""
    if len(data) > limit:
        raise Rejected("too_large")
    announced = sniff(data)
    if announced is None:
        raise Rejected("not_image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED or probe.format != announced:
                    raise Rejected("not_image")
                if too_many_pixels(probe):
                    raise Rejected("too_many_pixels")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.seek(0)
                image.draft("RGB", (KEPT_SIDE, KEPT_SIDE))  # JPEG: decoded at a fraction of its size if larger
                upright = ImageOps.exif_transpose(image)
                upright.load()
                upright.thumbnail((KEPT_SIDE, KEPT_SIDE))
    except Rejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise Rejected("not_image") from exc
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info)
    out = io.BytesIO()
    if has_alpha:
        fresh = upright.convert("RGBA")
        fresh.info = {}
        fresh.save(out, "PNG", optimize=True)
        extension = "png"
    else:
        fresh = upright.convert("RGB")
        fresh.info = {}
        fresh.save(out, "JPEG", quality=90)
        extension = "jpg"
    return Cleaned(out.getvalue(), extension, fresh.width, fresh.height)


# ---- the media folder ------------------------------------------------------------------------------
def file_name_for(tip_id: int, photo_id: int, extension: str) -> str:
    return f"tip{tip_id}-{photo_id}-{secrets.token_hex(8)}.{extension}"


def write(folder: Path, name: str, data: bytes) -> Path:
    """Atomically: a half-written file never carries the final name. The folder is its owner's alone (0700),
    and so is every photo (0600), whatever the process's umask."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    path = folder / name
    partial = folder / f".{name}.part"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    partial.replace(path)
    return path


def path_of(folder: Path | None, name: str | None) -> Path | None:
    """Where a stored photo's file is; None for a name that would leave the folder."""
    if folder is None or not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    return folder / name


def read(folder: Path | None, name: str | None) -> bytes | None:
    path = path_of(folder, name)
    try:
        return path.read_bytes() if path is not None else None
    except OSError:
        return None


def remove(folder: Path | None, name: str | None) -> None:
    path = path_of(folder, name)
    if path is not None:
        path.unlink(missing_ok=True)
