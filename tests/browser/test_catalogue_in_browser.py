"""What only a browser shows: htmx expanding a heading in place on a phone."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, WCAG_AA, open_menu, page_width
from tests.conftest import STANDARD_FIXTURE, UNIT_FIXTURE
from tests.factories import UserFactory
from units.services import import_specification_files


def test_learner_opens_the_nos_and_expands_knowledge_to_read_k100(
    transactional_db, live_server, phone_page, sign_in
):
    import_specification_files(paths=[UNIT_FIXTURE, STANDARD_FIXTURE])
    learner = UserFactory()
    page = phone_page

    sign_in(page, learner.email)
    open_menu(page)
    page.get_by_role("link", name="Specifications", exact=True).click()
    page.get_by_role("link", name="SCDLMCB2 · Lead and Manage Provision of Care Services").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lead and Manage Provision of Care Services that Promotes the Well Being of Individuals"
    )
    k100 = page.get_by_text("How psychological, soci-economic, cultural and environmental factors impact")
    expect(k100).to_have_count(0)

    toggle = page.get_by_role("button", name="Knowledge that is Specific to this NOS")
    url_before = page.url
    toggle.click()

    expect(k100).to_be_visible()
    expect(page.get_by_role("button", name="Knowledge that is Specific to this NOS")).to_have_attribute(
        "aria-expanded", "true"
    )
    assert page.url == url_before  # swapped in place by htmx, not a page load

    page.get_by_role("button", name="Knowledge that is Specific to this NOS").click()
    expect(k100).to_have_count(0)


def test_criterion_search_updates_as_the_learner_types(transactional_db, live_server, phone_page, sign_in):
    import_specification_files(paths=[STANDARD_FIXTURE])
    sign_in(phone_page, UserFactory().email)
    open_menu(phone_page)
    phone_page.get_by_role("link", name="Find a criterion").click()

    phone_page.get_by_label("Reference or words from the text").fill("assistive technology")

    expect(
        phone_page.get_by_text("How assistive technology can be used to support the independence")
    ).to_be_visible()
    expect(phone_page.get_by_text("1 criterion.")).to_be_visible()


def test_catalogue_pages_pass_wcag_aa_checks_and_fit_a_phone(
    transactional_db, live_server, phone_page, sign_in
):
    specs = {
        o.specification.code: o.specification
        for o in import_specification_files(paths=[UNIT_FIXTURE, STANDARD_FIXTURE])
    }
    axe = Axe()
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe.run(page, options=WCAG_AA).violations_count == 0
    sign_in(page, UserFactory().email)

    for path in [
        "/specifications/",
        f"/specifications/{specs['L/652/0848'].pk}/?open=all",
        f"/specifications/{specs['SCDLMCB2'].pk}/?open=all",
        "/specifications/criteria/?q=risk",
    ]:
        page.goto(live_server.url + path)
        result = axe.run(page, options=WCAG_AA)
        assert result.violations_count == 0, f"{path}: {result.generate_report()}"
        assert page_width(page) <= PHONE["viewport"]["width"], f"{path} scrolls sideways on a phone"


def test_an_outcome_opens_with_the_space_key_and_focus_stays_on_its_button(
    transactional_db, live_server, desktop_page, sign_in
):
    specs = import_specification_files(paths=[UNIT_FIXTURE])
    page = desktop_page
    sign_in(page, UserFactory().email)
    page.goto(f"{live_server.url}/specifications/{specs[0].specification.pk}/")
    toggle = page.get_by_role("button", name="LO4 Understand the role of relationships in promoting health")

    toggle.focus()
    page.keyboard.press("Space")  # a real button: Space works as well as Enter

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_text("Assess the importance of proactive approaches in supporting")).to_be_visible()
    expect(toggle).to_be_focused()  # the matching control in the new content, not <body>
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
