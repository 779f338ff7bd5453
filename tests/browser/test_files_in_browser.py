"""What only a browser shows: a progress bar per file, the file panel swapped in place, accessible throughout."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from portfolio.models import EvidenceFile
from tests.browser.conftest import WCAG_AA
from tests.factories import EnrolmentFactory, create_evidence_for
from tests.samples import EXE, PDF, PNG


@pytest.fixture
def evidence_page(transactional_db, live_server, phone_page, sign_in):
    evidence = create_evidence_for(EnrolmentFactory())
    sign_in(phone_page, evidence.learner.email)
    phone_page.goto(f"{live_server.url}/evidence/{evidence.pk}/")
    return phone_page


def test_each_file_gets_a_progress_bar_that_reaches_100_and_the_panel_updates_in_place(evidence_page):
    page = evidence_page
    url_before = page.url

    page.get_by_label("Add files").set_input_files(
        [
            {"name": "care plan.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "ward.png", "mimeType": "image/png", "buffer": PNG},
        ]
    )
    page.get_by_role("button", name="Upload", exact=True).click()

    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads.get_by_role("status")).to_have_text(
        ["“care plan.pdf” added to E1.", "“ward.png” added to E1."]
    )
    for bar in uploads.locator("progress").all():
        expect(bar).to_have_js_property("value", 100)
    expect(page.get_by_role("link", name="Download care plan.pdf")).to_be_visible()
    expect(page.get_by_role("link", name="View ward.png")).to_be_visible()
    assert page.url == url_before  # swapped in place, not a page load
    assert EvidenceFile.objects.count() == 2
    assert Axe().run(page, options=WCAG_AA).violations_count == 0


def test_a_refused_file_says_why_beside_its_progress_bar(evidence_page):
    page = evidence_page

    page.get_by_label("Add files").set_input_files(
        [{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": EXE}]
    )
    page.get_by_role("button", name="Upload", exact=True).click()

    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads.get_by_role("status")).to_contain_text(
        "“invoice.pdf” was not uploaded: its content is a Windows program"
    )
    expect(uploads.locator("li")).to_contain_text("Not added")
    expect(uploads.locator("progress")).to_have_count(0)  # no full bar for a file that never arrived
    expect(page.get_by_role("progressbar", name="Uploading invoice.pdf")).to_have_count(0)
    expect(page.get_by_text("No files yet.")).to_be_visible()
    assert EvidenceFile.objects.count() == 0


def test_a_new_version_replaces_the_file_and_the_old_one_is_listed(evidence_page):
    page = evidence_page
    page.get_by_label("Add files").set_input_files(
        [{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("link", name="Download plan.pdf")).to_be_visible()

    page.get_by_text("Replace with a new version").click()
    page.get_by_label("New version of “plan.pdf”").set_input_files(
        [{"name": "plan.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Upload new version").click()

    expect(page.get_by_role("list", name="Uploads").get_by_role("status")).to_have_text(
        "“plan.png” replaces “plan.pdf” in E1; the earlier version is kept."
    )
    page.get_by_text("Earlier versions (1)").click()
    expect(page.get_by_role("link", name="Download earlier version plan.pdf")).to_be_visible()
