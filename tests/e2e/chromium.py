"""Debian's Chromium, driven by Playwright: started for the first browser test on a worker
and stopped before the first test after it that is not one.

While Playwright's sync API is started, an asyncio event loop runs in the test thread, and
Django's `async_to_sync` (the health checks, for one) refuses to run in such a thread. The
browser tests run first on a worker (the longest of all), and the database tests follow on
the same worker, so the browser may not stay up for the whole session.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=da-DK",
]

_playwright: Playwright | None = None
_browser: Browser | None = None


def start() -> Browser:
    """The running browser, started if it is not."""
    global _playwright, _browser
    if _browser is None:
        if not Path(CHROMIUM).exists():
            pytest.fail(f"{CHROMIUM} is not installed: run make test, or apt-get install chromium")
        _playwright = sync_playwright().start()
        _browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return _browser


def stop() -> None:
    """Close the browser and Playwright's event loop with it, if they are running."""
    global _playwright, _browser
    if _browser is not None:
        _browser.close()
        _browser = None
    if _playwright is not None:
        _playwright.stop()
        _playwright = None
