"""The pages a role reaches: the links of the pages it sees, followed from its home page with
Django's test client, one address per URL pattern (and per co-writing step); files (PDF,
spreadsheets, calendars) and actions left out. Used by the accessibility test (axe-core in
Chromium) and the page-title test."""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

# Files and actions, not pages: what a link to them gives is not HTML to check.
NOT_PAGES = ("pdf", "xlsx", "export", "ics", "feed", "logout", "set_language", "autosave")
# Query parameters that choose what a page shows (each value is its own page).
SHAPING = {"step"}
# A bound on the crawl: the demo has some 150 patterns in all.
MAX_PAGES = 400


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _key(url: str) -> str | None:
    """The page's pattern (None: not a page of the product)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(("/admin/", "/static/", "/media/")):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    name = match.view_name or ""
    if any(word in name for word in NOT_PAGES):
        return None
    query = dict(parse_qsl(parts.query))
    shaping = sorted(f"{k}={v}" for k, v in query.items() if k in SHAPING)
    others = sorted(k for k in query if k not in SHAPING)
    return f"{name}?{'&'.join(shaping + others)}"


def reachable(client: Client, start: str = "/") -> dict[str, str]:
    """Pattern -> the first address of it found by following links from `start`."""
    found: dict[str, str] = {}
    queue = deque([start])
    while queue and len(found) < MAX_PAGES:
        url = urldefrag(queue.popleft())[0]
        key = _key(url)
        if key is None or key in found:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        found[key] = url
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            if href.startswith("?"):
                href = urlsplit(url).path + href
            if (k := _key(href)) is not None and k not in found:
                queue.append(href)
    return found
