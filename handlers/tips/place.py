"""The key that puts reports about the same shop or the same listing together.

A link: scheme, `www.`/`m.` and fragments go, the host is lowercased, and of the query only what names the
item or shop is kept (Taobao's `id`, JD's path, Pinduoduo's `goods_id` …), so the same listing shared from the
app and from a browser groups. A shop: the county, then the name with spaces, punctuation and width
differences removed (NFKC), so "精河县 枸杞一条街 3号（张记）" and "精河县枸杞一条街3号张记" group.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlsplit

LINK = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s]*)?", re.IGNORECASE)
ITEM_PARAMETERS = frozenset({"id", "item_id", "itemid", "goods_id", "goodsid", "product_id", "productid",
                             "shop_id", "shopid", "sku", "skuid", "spu", "mid"})
DROPPED_HOST_PREFIXES = ("www.", "m.", "h5.", "mobile.", "wap.")
NOT_KEPT = re.compile(r"[\W_]+", re.UNICODE)


def link_in(text: str) -> str | None:
    found = LINK.search(text)
    return found.group(0) if found else None


def link_key(link: str) -> str:
    parts = urlsplit(link if "://" in link else f"https://{link}")
    host = (parts.hostname or "").lower()
    for prefix in DROPPED_HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix):]
            break
    path = parts.path.rstrip("/").lower()
    kept = sorted((k.lower(), v) for k, v in parse_qsl(parts.query) if k.lower() in ITEM_PARAMETERS)
    query = "&".join(f"{k}={v}" for k, v in kept)
    return f"{host}{path}" + (f"?{query}" if query else "")


def place_key(county: str | None, place: str | None) -> str | None:
    """The grouping key of where a report happened, or None when there is nothing to group by."""
    if not place:
        return None
    link = link_in(place)
    if link is not None:
        return "link:" + link_key(link)
    name = NOT_KEPT.sub("", unicodedata.normalize("NFKC", place)).lower()
    if not name:
        return None
    return f"shop:{county or ''}:{name}"[:500]
