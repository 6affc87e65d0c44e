"""What every chart shares (survey, drivers, plan indicators, the final evaluation): the one font chooser, matplotlib
without a display, and the figure as PNG bytes.

The font is chosen explicitly, never left to matplotlib's default: a Chinese font the install provides, found in
matplotlib's font list by family name or, when that list was cached before the font was installed, by the font's
file path (added to the running process only: no cache is rebuilt or written). The chosen font must have a glyph
for every character of a probe text. Without one, charts use English labels (never boxes) and `missing_font_notice`
says so, with the one command that fixes it."""

from __future__ import annotations

import functools
import io
import logging
from pathlib import Path
from typing import Any

from handlers.texts import charts as text

# Family names, most wanted first: Simplified Chinese faces before the others.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
                "WenQuanYi Zen Hei", "Noto Sans CJK JP", "SimHei", "Microsoft YaHei", "PingFang SC")
# Where the usual packages put them (Debian/Ubuntu fonts-noto-cjk and fonts-wqy-*, Fedora, Arch, macOS, Windows).
CJK_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
             "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
             "/System/Library/Fonts/PingFang.ttc", "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/simhei.ttf")
PROBE = "知识产权保护社会满意度规划指标终期评估完成进度目标待发布未录入达到（）：％"
FALLBACK_FAMILY = "DejaVu Sans"  # matplotlib's own: Latin text only
log = logging.getLogger(__name__)


def covers(path: str, face: int, words: str) -> bool:
    """Whether the font face at `path` has a glyph for every non-space character of `words`."""
    from matplotlib import ft2font

    try:
        charmap = ft2font.FT2Font(path, face_index=face).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(c) in charmap for c in words if not c.isspace())


def _listed(families: tuple[str, ...]) -> str | None:
    from matplotlib import font_manager

    entries = font_manager.fontManager.ttflist
    for family in families:
        for entry in entries:
            if entry.name == family and covers(str(entry.fname), int(entry.index), PROBE):
                return family
    return None


def choose(families: tuple[str, ...] = CJK_FAMILIES, files: tuple[str, ...] = CJK_FILES) -> str | None:
    """The family name of the first Chinese font found (matplotlib's list first, then the known files), or None."""
    found = _listed(families)
    if found is not None:
        return found
    from matplotlib import font_manager

    for path in files:
        if Path(path).is_file():
            try:
                font_manager.fontManager.addfont(path)  # this process only; every face of a .ttc
            except (OSError, RuntimeError, ValueError):
                log.warning("font file %s could not be read", path)
                continue
            found = _listed(families)
            if found is not None:
                return found
    return None


@functools.cache
def cjk_font() -> str | None:
    """The chosen Chinese font's family (looked for once a process), or None: labels then fall back to English."""
    return choose()


def missing_font_notice() -> str | None:
    """What to tell the operator when charts cannot show Chinese (None when they can)."""
    return None if cjk_font() else text.NO_CJK_FONT


def warn_if_no_font() -> None:
    """At start-up: a warning in the log when charts will use English labels."""
    notice = missing_font_notice()
    if notice:
        log.warning("%s", notice)


def label(words: str, font: str | None, fallback: str) -> str:
    """`words` when the chart can show them (a Chinese font, or nothing but ASCII), else `fallback` (English)."""
    return words if font or words.isascii() else fallback


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    return plt


def font_context(font: str | None) -> Any:
    """Settings under which a chart is drawn: the chosen font, explicitly, or matplotlib's Latin one."""
    import matplotlib

    return matplotlib.rc_context({"font.family": [font or FALLBACK_FAMILY], "axes.unicode_minus": False})


def to_png(figure: Any) -> bytes:
    """The figure as PNG; the figure is closed."""
    out = io.BytesIO()
    figure.savefig(out, format="png")
    pyplot().close(figure)
    return out.getvalue()
