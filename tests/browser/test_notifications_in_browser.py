"""The notifications page on a phone: accessible, and "Mark all read" swaps the list and the menu badge by htmx."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from notifications.models import Notification
from tests.browser.conftest import WCAG_AA
from tests.factories import UserFactory


def test_mark_all_read_clears_the_badge_in_place_and_the_page_passes_wcag_aa(
    transactional_db, live_server, phone_page, sign_in
):
    person = UserFactory()
    Notification.objects.create(recipient=person, subject="Feedback on E2", message="Add the date.")
    Notification.objects.create(recipient=person, subject="E1 submitted by Lee Learner", url="/")
    page = phone_page
    sign_in(page, person.email)
    page.goto(f"{live_server.url}/notifications/")

    badge = page.locator("#nav-notifications")
    expect(badge).to_have_text("Notifications (2)")
    expect(badge).to_have_accessible_name("Notifications, 2 unread")
    result = Axe().run(page, options=WCAG_AA)
    assert result.violations_count == 0, result.generate_report()
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"the page scrolls sideways on a phone ({width}px > {viewport}px)"

    page.evaluate("window.__same_page = true")
    page.get_by_role("button", name="Mark all read").click()

    expect(page.get_by_role("status")).to_have_text("Marked 2 notifications read.")
    expect(badge).to_have_text("Notifications")
    expect(page.get_by_role("button", name="Mark all read")).to_have_count(0)
    assert page.evaluate("window.__same_page") is True  # swapped by htmx, not a new page
    assert Notification.objects.filter(read_at=None).count() == 0
