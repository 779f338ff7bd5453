"""Passkeys as a person meets them, with Chromium's virtual authenticator (the DevTools protocol's WebAuthn domain:
a platform authenticator that keeps its keys and always verifies the user): an assessor adds one on their account
page, signs in again with it at the second step, and removes it; a learner's first passkey comes with recovery
codes. On a phone and a desktop, with no Content-Security-Policy violation and no WCAG AA violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from audit.models import AuditEntry
from tests.browser.conftest import SIGN_OUT, WCAG_AA, open_menu
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory
from tests.factories.accounts import recovery_code_for


@pytest.fixture(autouse=True)
def passkeys_for_the_live_server(settings, live_server):
    """Passkeys belong to the address the browser sees: the live server's, on localhost."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]


def virtual_authenticator(page: Page) -> None:
    """A passkey-capable authenticator built into this page's browser, as a phone's or laptop's would be."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def watch_csp(page: Page) -> list[str]:
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return refused


def passes_wcag_aa(page: Page) -> None:
    result = Axe().run(page, options=WCAG_AA)
    assert result.violations_count == 0, result.generate_report()


@pytest.mark.parametrize("viewport", ["phone_page", "desktop_page"])
def test_an_assessor_adds_a_passkey_signs_in_with_it_and_removes_it(
    transactional_db, live_server, sign_in, see, request, viewport
):
    page: Page = request.getfixturevalue(viewport)
    refused = watch_csp(page)
    virtual_authenticator(page)
    assessor = EnrolmentFactory().assessor
    sign_in(page, assessor.email)
    recovery_code_for(assessor)  # one still unused: the passkey comes without a new set

    page.goto(f"{live_server.url}/accounts/security/")
    page.get_by_role("button", name="Add a passkey").click()

    see(
        page,
        "passkey added",
        path="/accounts/security/",
        heading="Your account",
        message="Your passkey is added",
    )
    passkey = page.locator("ul.passkeys li")
    expect(passkey).to_have_count(1)
    expect(passkey).to_contain_text("not used yet")
    passes_wcag_aa(page)
    assert AuditEntry.objects.filter(action="signin.passkey_added", subject_id=str(assessor.pk)).count() == 1

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/caseload/")
    page.get_by_label("E-mail address").fill(assessor.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="With a passkey")).to_be_visible()
    passes_wcag_aa(page)
    see(page, "second step offers the passkey", heading="Second step of signing in")
    page.get_by_role("button", name="Use a passkey").click()

    see(page, "signed in with the passkey", path="/caseload/", heading="Your caseload")
    expect(page.locator(SIGN_OUT)).to_be_attached()
    open_menu(page)
    page.get_by_role("link", name="Your account").click()
    expect(passkey).not_to_contain_text("not used yet")
    page.get_by_role("button", name="Remove Passkey added").click()

    see(
        page,
        "removed the passkey of this sign-in",
        heading="Second step of signing in",
        message="You used it for the second step of this sign-in: give a code or another passkey to go on.",
    )
    page.get_by_label("Code").fill(recovery_code_for(assessor))
    page.get_by_role("button", name="Continue").click()
    see(page, "passkey removed", path="/accounts/security/", heading="Your account")
    expect(page.get_by_text("You have no passkey.")).to_be_visible()
    assert AuditEntry.objects.filter(action="signin.passkey_removed").count() == 1
    assert refused == []


def test_a_learners_first_passkey_comes_with_recovery_codes_shown_once(
    transactional_db, live_server, sign_in, see, phone_page
):
    page = phone_page
    refused = watch_csp(page)
    virtual_authenticator(page)
    learner = EnrolmentFactory().learner
    sign_in(page, learner.email)

    page.goto(f"{live_server.url}/accounts/security/")
    page.get_by_role("button", name="Add a passkey").click()

    see(page, "recovery codes", heading="Your recovery codes")
    expect(page.get_by_role("status").filter(has_text="Your passkey is added.")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    passes_wcag_aa(page)
    page.get_by_role("button", name="Continue").click()
    see(page, "account", path="/accounts/security/", heading="Your account")
    expect(page.get_by_text("You have 10 unused recovery codes.")).to_be_visible()
    assert refused == []


def test_staff_at_their_first_sign_in_may_choose_a_passkey_instead_of_an_app(
    transactional_db, live_server, see, desktop_page
):
    page = desktop_page
    virtual_authenticator(page)
    assessor = EnrolmentFactory().assessor
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(assessor.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()

    page.get_by_role("button", name="Add a passkey").click()

    see(page, "recovery codes", heading="Your recovery codes")
    page.get_by_role("button", name="Continue").click()
    see(page, "in", path="/accounts/security/", heading="Your account")
    assert not assessor.totpdevice_set.filter(confirmed=True).exists()
