"""An article's lead image: from a page's `og:image` / `twitter:image`, or a feed item's
`media:content`, `media:thumbnail`, image enclosure or JSON Feed `image`.

Only what Discord can show and a reader would want: an absolute http(s) URL (resolved
against the page), never a `data:` URL, never a tracking pixel — an image declared
smaller than `MIN_SIDE` pixels (width/height attributes, `og:image:width`/`height`) is
ignored — and within `bot.escape.link_target`'s rules (length cap, unsafe characters
percent-encoded). No I/O: the image itself is never fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urljoin

from bot import escape

MIN_SIDE = 100  # pixels: a declared side below this is a pixel, an icon or a spacer
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$", re.IGNORECASE)
_IMAGE_SUFFIX = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|[?#])", re.IGNORECASE)
# Meta names that carry the page's image, best first.
_PAGE_IMAGE_NAMES = (
    "og:image:secure_url", "og:image:url", "og:image", "twitter:image", "twitter:image:src",
)  # fmt: skip


def image_url(raw: object, base: str | None = None) -> str | None:
    """A safe absolute http(s) image URL, or None."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    raw = raw.strip()
    if raw.lower().startswith("data:"):
        return None
    try:
        absolute = urljoin(base or "", raw)
    except ValueError:
        return None
    return escape.link_target(absolute)


def too_small(width: object, height: object) -> bool:
    """True when a declared width or height is under `MIN_SIDE` pixels."""
    for side in (width, height):
        if isinstance(side, int | float) and not isinstance(side, bool):
            if side < MIN_SIDE:
                return True
            continue
        match = _NUMBER.match(side) if isinstance(side, str) else None
        if match and float(match.group(1)) < MIN_SIDE:
            return True
    return False


def first_image(
    candidates: Iterable[tuple[object, object, object]], base: str | None
) -> str | None:
    """The first acceptable (url, width, height) candidate, as a safe URL."""
    for raw, width, height in candidates:
        if too_small(width, height):
            continue
        url = image_url(raw, base)
        if url is not None:
            return url
    return None


# --------------------------------------------------------------------------- pages


def page_image(tree: Any, base: str | None) -> str | None:
    """The page's declared lead image (`og:image`, else `twitter:image`, else
    `<link rel="image_src">`), unless it is declared tiny."""
    metas = _metas(tree)
    og_width = next(iter(metas.get("og:image:width", [])), None)
    og_height = next(iter(metas.get("og:image:height", [])), None)
    small_imgs = _small_img_sources(tree, base)
    candidates: list[tuple[object, object, object]] = []
    for name in _PAGE_IMAGE_NAMES:
        declared = (og_width, og_height) if name.startswith("og:") else (None, None)
        for value in metas.get(name, []):
            candidates.append((value, *declared))
    for href in tree.xpath('//link[@rel="image_src"]/@href'):
        candidates.append((str(href), None, None))
    kept = [c for c in candidates if image_url(c[0], base) not in small_imgs]
    return first_image(kept, base)


def _metas(tree: Any) -> dict[str, list[str]]:
    """The page's image-related `<meta>` values by name (property, name or itemprop), in
    one pass over its meta elements."""
    found: dict[str, list[str]] = {}
    for meta in tree.xpath("//meta[@content]"):
        content = meta.get("content")
        for attr in ("property", "name", "itemprop"):
            name = (meta.get(attr) or "").strip().lower()
            if name.startswith(("og:image", "twitter:image")) and content:
                found.setdefault(name, []).append(str(content))
    return found


def _small_img_sources(tree: Any, base: str | None) -> set[str | None]:
    """`<img>`s the page itself declares tiny (a tracking pixel named as og:image)."""
    small: set[str | None] = set()
    for img in tree.xpath("//img[@src][@width or @height]")[:500]:
        if too_small(img.get("width"), img.get("height")):
            url = image_url(img.get("src"), base)
            if url is not None:
                small.add(url)
    return small


# --------------------------------------------------------------------------- feed items


def entry_image(entry: Mapping[str, Any], base: str | None) -> str | None:
    """A feedparser entry's image: media:content (images only), media:thumbnail, then an
    image enclosure."""
    candidates: list[tuple[object, object, object]] = []
    for media in _dicts(entry.get("media_content")):
        medium = str(media.get("medium") or "").lower()
        kind = str(media.get("type") or "").lower()
        is_image = medium == "image" or kind.startswith("image/")
        if not is_image and not medium and not kind:
            is_image = bool(_IMAGE_SUFFIX.search(str(media.get("url") or "")))
        if is_image:
            candidates.append((media.get("url"), media.get("width"), media.get("height")))
    for thumb in _dicts(entry.get("media_thumbnail")):
        candidates.append((thumb.get("url"), thumb.get("width"), thumb.get("height")))
    enclosures = [*_dicts(entry.get("enclosures"))]
    enclosures += [x for x in _dicts(entry.get("links")) if x.get("rel") == "enclosure"]
    for enclosure in enclosures:
        if str(enclosure.get("type") or "").lower().startswith("image/"):
            candidates.append((enclosure.get("href") or enclosure.get("url"), None, None))
    return first_image(candidates, base)


def json_feed_image(entry: Mapping[str, Any], base: str | None) -> str | None:
    """A JSON Feed item's `image`, else its `banner_image`."""
    return first_image(
        [(entry.get("image"), None, None), (entry.get("banner_image"), None, None)], base
    )


def _dicts(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [v for v in value[:50] if isinstance(v, Mapping)]
