"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser) against live_server."""

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from accounts.models import User
from centres.access import Access
from signin.policy import second_factor_required
from tests.factories import DEFAULT_PASSWORD
from tests.factories.accounts import authenticator_for, recovery_code_for

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The axe-core rules the browser tests hold every page to: WCAG 2.1 level AA.
WCAG_AA = {"runOnly": ["wcag2a", "wcag2aa", "wcag21aa"]}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


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
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    return _sign_in
