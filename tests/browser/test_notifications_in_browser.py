"""The notifications page on a phone: accessible, and "Mark all read" swaps the list and the menu's count by htmx,
moving focus to what it did."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from notifications.models import Notification
from tests.browser.conftest import PHONE, WCAG_AA, open_menu, page_width
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

    menu = page.locator(".site-menu > summary")
    expect(menu).to_have_accessible_name("Menu 2 unread notifications")  # folded on a phone: the count shows
    open_menu(page)
    badge = page.locator("#nav-notifications")
    expect(badge).to_have_text("Notifications (2)")
    expect(badge).to_have_accessible_name("Notifications, 2 unread")
    result = Axe().run(page, options=WCAG_AA)
    assert result.violations_count == 0, result.generate_report()
    assert page_width(page) <= PHONE["viewport"]["width"], "the page scrolls sideways on a phone"

    page.evaluate("window.__same_page = true")
    page.get_by_role("button", name="Mark all read").focus()
    page.keyboard.press("Enter")

    message = page.get_by_role("status").locator(".message")
    expect(message).to_have_text("Marked 2 notifications read.")
    expect(message).to_be_focused()  # the button is gone: focus goes to what it did, not to <body>
    expect(badge).to_have_text("Notifications")
    expect(menu).to_have_accessible_name("Menu")
    expect(page.get_by_role("button", name="Mark all read")).to_have_count(0)
    assert page.evaluate("window.__same_page") is True  # swapped by htmx, not a new page
    assert Notification.objects.filter(read_at=None).count() == 0
