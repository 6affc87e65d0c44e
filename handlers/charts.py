"""What every chart shares: a Chinese font when one is installed (labels fall back to English without one,
rather than empty boxes), matplotlib without a display, and the figure as PNG bytes."""

from __future__ import annotations

import io
from typing import Any

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Source Han Sans SC",
             "SimHei", "Microsoft YaHei", "PingFang SC")


def cjk_font() -> str | None:
    """The first installed font that has Chinese glyphs, or None."""
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in available), None)


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    return plt


def font_context(font: str | None) -> Any:
    import matplotlib

    return matplotlib.rc_context({"font.family": [font] if font else ["DejaVu Sans"]})


def to_png(figure: Any) -> bytes:
    """The figure as PNG; the figure is closed."""
    out = io.BytesIO()
    figure.savefig(out, format="png")
    pyplot().close(figure)
    return out.getvalue()
