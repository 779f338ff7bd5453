"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser) against live_server.

Screenshots: when a browser test fails, every page it holds is saved, whole, under var/browser-screenshots/<test>/
(failure-N.png), beside the steps it had passed (see `see`); the folder of a test that passes is removed, unless
BROWSER_SCREENSHOTS=all keeps every picture for a person to look at.
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect, sync_playwright

from accounts.models import User
from centres.access import Access
from signin.policy import second_factor_required
from tests.factories import DEFAULT_PASSWORD
from tests.factories.accounts import authenticator_for, recovery_code_for

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "browser-screenshots"
KEEP_ALL_SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS", "") == "all"
# Pages a test holds that are not among its arguments (the every-page sweep's), for the failure's screenshot. Test
# modules import this conftest under another module name: reach it through the `held_pages` fixture.
HELD_PAGES = pytest.StashKey[list[Page]]()
OUTCOME = pytest.StashKey[pytest.TestReport]()
SIGN_OUT = "form[action='/accounts/logout/']"

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The axe-core rules the browser tests hold every page to: WCAG 2.2 level AA (violations only: faster).
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def page_width(page: Page) -> int:
    """How wide the page is laid out, in CSS pixels. A phone browser widens its window to fit a page that is too
    wide (window.innerWidth follows), so compare this with the viewport the context was made with."""
    return int(page.evaluate("document.documentElement.scrollWidth"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


def screenshot_folder(item: pytest.Item) -> Path:
    return SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.removeprefix("tests/browser/"))


def _held_pages(item: pytest.Item) -> list[Page]:
    arguments = getattr(item, "funcargs", {}).values()
    return [value for value in arguments if isinstance(value, Page)] + item.stash.get(HELD_PAGES, [])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep the outcome for the fixtures' teardown, and a picture of every page a failing browser test held."""
    report = yield
    if report.when == "call":
        item.stash[OUTCOME] = report
    if report.failed and report.when == "call" and "tests/browser/" in str(item.path):
        folder = screenshot_folder(item)
        folder.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(_held_pages(item), start=1):
            if not page.is_closed():
                page.screenshot(path=folder / f"failure-{number}.png", full_page=True)
        report.sections.append(("screenshots", str(folder)))
    return report


@pytest.fixture
def held_pages(request: pytest.FixtureRequest) -> Iterator[list[Page]]:
    """Pages the test opens itself: pictured if it fails, closed after it."""
    pages = request.node.stash.setdefault(HELD_PAGES, [])
    yield pages
    for page in pages:
        page.close()


@pytest.fixture(autouse=True)
def _screenshots_of_passing_tests_are_removed(request: pytest.FixtureRequest) -> Iterator[None]:
    folder = screenshot_folder(request.node)
    shutil.rmtree(folder, ignore_errors=True)
    yield
    outcome = request.node.stash.get(OUTCOME, None)
    if outcome is not None and outcome.passed and not KEEP_ALL_SCREENSHOTS:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def see(request: pytest.FixtureRequest) -> Callable[..., None]:
    """After a step of a flow, check what the person sees (the page is whole: one <main>; the address, the main
    heading, the message), then save a picture of it: var/browser-screenshots/<test>/NN-<step>.png."""
    folder = screenshot_folder(request.node)
    numbers = count(1)

    def _see(
        page: Page,
        step: str,
        *,
        path: str | None = None,
        heading: str | None = None,
        message: str | None = None,
    ) -> None:
        expect(page.locator("main")).to_have_count(1)
        if path is not None:
            expect(page).to_have_url(re.compile(rf"^[a-z]+://[^/]+{re.escape(path)}([?#].*)?$"))
        if heading is not None:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        if message is not None:
            expect(page.locator(".message", has_text=message).first).to_be_visible()
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        page.screenshot(path=folder / f"{next(numbers):02d}-{name}.png", full_page=True)

    return _see


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Debian's chromium is not installed: bin/test installs it, or run apt-get install chromium"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(live_server):
    """Sign a person in through the real form, as they would."""

    def _sign_in(page: Page, email: str, password: str = DEFAULT_PASSWORD) -> None:
        """The password, then (for staff, whose role needs one) the second step with a fresh recovery code."""
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        person = User.objects.get(email=email)
        if second_factor_required(Access(person)):
            authenticator_for(person)
            code = recovery_code_for(person)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Second step of signing in")).to_be_visible()
            page.get_by_label("Code").fill(code)
            page.get_by_role("button", name="Continue").click()
        else:
            page.get_by_role("button", name="Sign in").click()
        expect(page.locator(SIGN_OUT)).to_be_attached()  # in the menu of every signed-in page

    return _sign_in


def open_menu(page: Page) -> None:
    """On a phone the site's links fold behind "Menu": open it, as a person would, if it is closed."""
    summary = page.locator(".site-menu > summary")
    if summary.is_visible() and page.locator(".site-menu[open]").count() == 0:
        summary.click()
