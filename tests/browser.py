"""What the browser tests share: Debian's chromium driven by Playwright (one browser per test module), and
signing in as the console's admin. Without chromium or Playwright the tests are skipped, except under CI (env CI
set), where they fail."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("IPBOT_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def missing() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    why = missing()
    if why is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run under CI: {why}")
        pytest.skip(f"browser tests skipped: {why}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def sign_in(page: Any, url: str) -> None:
    """Open the console with no session (the login form) and sign in as the test's admin, boss."""
    page.goto(f"{url}/console/")
    assert "/console/login" in page.url  # no session: the login form
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "correct-horse-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/console/")
