"""The second step of signing in as a person meets it: an assessor sets up an authenticator app at their first
sign-in (scan or type the key, type the first code), sees their recovery codes once, then signs in again with a
code; on a phone and a desktop, with no Content-Security-Policy violation and no WCAG AA violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.browser.conftest import SIGN_OUT, WCAG_AA
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory
from tests.factories.accounts import code_now


def watch_csp(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def passes_wcag_aa(page: Page) -> None:
    result = Axe().run(page, options=WCAG_AA)
    assert result.violations_count == 0, result.generate_report()


def sign_in_with_password(page: Page, url: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("viewport", ["phone_page", "desktop_page"])
def test_an_assessor_sets_up_an_authenticator_and_signs_in_with_its_code(
    transactional_db, live_server, request, viewport, see
):
    page = request.getfixturevalue(viewport)
    violations = watch_csp(page)
    assessor = EnrolmentFactory().assessor

    sign_in_with_password(page, live_server.url, assessor.email)

    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    qr = page.get_by_role("img", name="QR code to scan with the authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0"), "the QR code did not load"
    passes_wcag_aa(page)
    see(page, "set up an authenticator")
    device = TOTPDevice.objects.get(user=assessor, confirmed=False)
    page.get_by_label("Code from the app").fill(code_now(device))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    passes_wcag_aa(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(SIGN_OUT)).to_be_attached()  # signed in (on a phone it is folded in the menu)

    sign_in_with_password(page, live_server.url, assessor.email)
    expect(page.get_by_role("heading", name="Second step of signing in")).to_be_visible()
    page.get_by_label("Code").fill("123")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title("Error: Second step of signing in · Evidence portfolio")
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    passes_wcag_aa(page)
    see(page, "a wrong code at the second step")
    page.wait_for_timeout(1100)  # django-otp makes the next try after a wrong code wait a second
    # the code of the next 30-second step: the one typed while setting up cannot be used twice
    page.get_by_label("Code").fill(code_now(device, steps_ahead=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(SIGN_OUT)).to_be_attached()  # signed in (on a phone it is folded in the menu)
    assert violations == []
