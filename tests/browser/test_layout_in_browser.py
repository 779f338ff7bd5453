"""What a phone shows: one compact row of header (the menu folds behind "Menu", without JavaScript too), tables that
reflow with every cell saying what it is, and actions that stay on screen; non-text contrast of at least 3:1 for
field borders, checkboxes, radios, the progress track and focus rings (WCAG 1.4.11)."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from centres.models import Membership
from tests.browser.conftest import PHONE, page_width
from tests.conftest import UNIT_FIXTURE
from tests.factories import (
    DEFAULT_PASSWORD,
    EnrolmentFactory,
    create_evidence_for,
    member,
    submitted_evidence,
)
from tests.factories.portfolio import lines_of
from units.services import import_specification_files

# The contrast ratio of a CSS colour (rgb or rgba, seen over white) against white, as WCAG defines it.
CONTRAST_ON_WHITE = """(colour) => {
  const [red, green, blue, alpha = 1] = colour.match(/[\\d.]+/g).map(Number);
  const [r, g, b] = [red, green, blue].map((c) => {
    c = (alpha * c + (1 - alpha) * 255) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
}"""


@pytest.fixture
def enrolment(transactional_db):
    (outcome,) = import_specification_files(paths=[UNIT_FIXTURE])
    return EnrolmentFactory(specifications=[outcome.specification])


def contrast(page: Page, colour: str) -> float:
    return float(page.evaluate(CONTRAST_ON_WHITE, colour))


def test_on_a_phone_the_header_is_one_row_with_the_menu_folded(enrolment, live_server, phone_page, sign_in):
    page = phone_page
    sign_in(page, enrolment.learner.email)

    header = page.locator("header").bounding_box()
    assert header is not None
    assert header["height"] <= 80, f"the header takes {header['height']}px of an 844px screen"
    expect(page.get_by_role("link", name="Specifications", exact=True)).to_be_hidden()

    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Specifications", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Specifications")


def test_the_phone_menu_opens_without_javascript(enrolment, live_server, browser: Browser):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(enrolment.learner.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Find a criterion").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Find a criterion")
    context.close()


def test_on_a_desktop_the_menu_links_stand_in_the_header(enrolment, live_server, desktop_page, sign_in):
    sign_in(desktop_page, enrolment.learner.email)

    expect(desktop_page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(desktop_page.get_by_role("link", name="Specifications", exact=True)).to_be_visible()
    expect(desktop_page.get_by_role("button", name="Sign out")).to_be_visible()


def test_on_a_phone_the_edit_and_change_actions_of_a_table_are_on_screen(
    enrolment, live_server, phone_page, sign_in
):
    admin = member(enrolment.centre, Membership.Role.ADMIN)
    page = phone_page
    sign_in(page, admin.email)

    for url, action in (
        (reverse("centres:enrolments", args=[enrolment.centre_id]), "Edit"),
        (reverse("centres:people", args=[enrolment.centre_id]), "Change roles"),
    ):
        page.goto(live_server.url + url)
        link = page.get_by_role("link", name=action).first
        box = link.bounding_box()  # where it is drawn, without scrolling anything sideways to it
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["viewport"]["width"], f"{action} is off-screen on {url}"
        assert page_width(page) <= PHONE["viewport"]["width"]


def test_on_a_phone_the_matrix_keeps_its_column_headers(enrolment, live_server, phone_page, sign_in):
    unit = enrolment.specifications.get()
    submitted_evidence(enrolment, lines_of(unit)[:1], title="Reflective account")
    page = phone_page
    sign_in(page, enrolment.learner.email)
    page.goto(live_server.url + reverse("assessments:criterion_matrix", args=[enrolment.pk, unit.pk]))

    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    headers = [n["name"]["value"] for n in tree if n.get("role", {}).get("value") == "columnheader"]
    assert headers[:4] == ["Ref", "Criterion", "Evidence number", "Met"]  # each table keeps its header row
    assert sum(1 for n in tree if n.get("role", {}).get("value") == "cell") > 0
    met = page.locator("table.matrix td", has_text="Not yet met").first
    label = met.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert "Met" in label, "a phone user sees what each cell is"
    assert page_width(page) <= PHONE["viewport"]["width"]


def test_field_checkbox_radio_and_progress_outlines_measure_at_least_3_to_1(
    enrolment, live_server, desktop_page, sign_in
):
    evidence = create_evidence_for(enrolment, title="Reflective account")
    page = desktop_page
    sign_in(page, enrolment.learner.email)
    page.goto(live_server.url + reverse("portfolio:evidence_detail", args=[evidence.pk]))

    checkbox = page.get_by_label("This is my own work")
    search = page.get_by_label("Find by reference or words")
    for control in (checkbox, search):
        assert contrast(page, control.evaluate("e => getComputedStyle(e).borderTopColor")) >= 3
    page.goto(f"{live_server.url}/")
    progress = page.locator("progress").first
    outline = progress.evaluate("e => getComputedStyle(e).borderTopColor")
    assert progress.evaluate("e => parseFloat(getComputedStyle(e).borderTopWidth)") >= 1
    assert contrast(page, outline) >= 3


def test_radio_buttons_of_a_judgement_measure_at_least_3_to_1(enrolment, live_server, desktop_page, sign_in):
    evidence = submitted_evidence(enrolment, lines_of(enrolment.specifications.get())[:1], title="Account")
    page = desktop_page
    sign_in(page, enrolment.assessor.email)
    page.goto(live_server.url + reverse("assessments:review", args=[evidence.pk]))

    radio = page.get_by_label("Not yet met", exact=True)
    assert contrast(page, radio.evaluate("e => getComputedStyle(e).borderTopColor")) >= 3


def test_the_focus_ring_of_an_expandable_row_measures_at_least_3_to_1(
    enrolment, live_server, desktop_page, sign_in
):
    page = desktop_page
    sign_in(page, enrolment.learner.email)
    page.goto(
        live_server.url + reverse("units:specification_detail", args=[enrolment.specifications.get().pk])
    )
    summary = page.get_by_text("Assessment requirements")
    for _ in range(60):
        if summary.evaluate("e => e === document.activeElement"):
            break
        page.keyboard.press("Tab")

    expect(summary).to_be_focused()
    style = summary.evaluate(
        "e => [getComputedStyle(e).outlineStyle, parseFloat(getComputedStyle(e).outlineWidth),"
        " getComputedStyle(e).outlineColor]"
    )
    assert style[0] == "solid"
    assert style[1] >= 2
    assert contrast(page, style[2]) >= 3
