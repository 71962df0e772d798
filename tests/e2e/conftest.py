"""Browser tests: Playwright for Python driving Debian's Chromium (`apt-get install chromium`).

Playwright's own browser download cannot run here, so the tests use /usr/bin/chromium and are skipped,
with the reason, where it is missing.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's sync API runs an event loop in the test thread; the ORM calls of the fixtures are
# still synchronous, so Django's async-safety guard must be told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def browser(demo_site):
    # One browser per test, started after the database is ready: Playwright's greenlets run in their
    # own context, and Django's connections are per context, so the rollback copy of the test database
    # must be restored before Playwright starts.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_site(live_server, transactional_db):
    """The demo, committed so the live server's thread sees it."""
    from demo.demo import demo_load

    demo_load()
    return live_server


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state("load")
