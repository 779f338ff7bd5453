"""The everyday flows as people meet them, on a phone and a desktop: what the person sees after each step (URL,
heading, messages, focus), not only what was saved. Screenshots: the `see` fixture (tests/browser/conftest.py)."""

import io

import pytest
from PIL import Image
from pillow_heif import register_heif_opener
from playwright.sync_api import Page, expect

from portfolio.services import files
from portfolio.uploads import check_file
from tests.browser.conftest import page_width
from tests.conftest import UNIT_FIXTURE
from tests.factories import EnrolmentFactory, create_evidence_for, submitted_evidence
from tests.samples import EXE
from units.models import Criterion
from units.services import import_specification_files

register_heif_opener()
VIEWPORTS = ["phone_page", "desktop_page"]


def one_main_and_no_sideways_scroll(page: Page) -> None:
    assert page.locator("main").count() == 1
    assert page.viewport_size is not None
    assert page_width(page) <= page.viewport_size["width"]


@pytest.fixture
def unit(transactional_db):
    (outcome,) = import_specification_files(paths=[UNIT_FIXTURE])
    return outcome.specification


@pytest.fixture
def enrolment(unit):
    return EnrolmentFactory(specifications=[unit])


@pytest.fixture(params=VIEWPORTS)
def page(request) -> Page:
    return request.getfixturevalue(request.param)


def test_the_assessor_saves_feedback_then_accepts_and_lands_on_the_caseload(
    enrolment, unit, live_server, page, sign_in, see
):
    targets = [(Criterion.objects.get(specification=unit, ref=ref), None) for ref in ("2.1", "2.2")]
    evidence = submitted_evidence(enrolment, targets, title="Reflective account of partnership working")
    sign_in(page, enrolment.assessor.email)
    page.goto(f"{live_server.url}/evidence/{evidence.pk}/review/")
    for ref in ("2.1", "2.2"):
        page.locator("fieldset.judgement", has_text=f"L/652/0848 {ref}").get_by_label(
            "Met", exact=True
        ).check()
    page.get_by_label("Feedback to the learner").fill("Well done.")
    page.get_by_role("button", name="Save judgements").click()

    expect(page.get_by_role("status")).to_contain_text("Judgements on E1 saved.")
    expect(page.get_by_label("Feedback to the learner")).to_have_value("Well done.")
    one_main_and_no_sideways_scroll(page)
    see(page, "review-saved")

    page.get_by_role("button", name="Accept").click()

    expect(page).to_have_url(f"{live_server.url}/caseload/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    expect(page.get_by_text("E1 accepted; the learner is told.")).to_be_visible()
    one_main_and_no_sideways_scroll(page)
    see(page, "caseload-after-accept")

    page.goto(f"{live_server.url}/evidence/{evidence.pk}/review/")
    expect(page.get_by_role("heading", name="Judgements")).to_be_visible()
    expect(page.get_by_text("E1 is accepted: there is nothing to judge.")).to_be_visible()
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
    see(page, "review-of-accepted-evidence")

    sign_in(page, enrolment.learner.email)
    page.goto(f"{live_server.url}/evidence/{evidence.pk}/")
    expect(page.get_by_role("heading", name="Round 1: Accepted")).to_be_visible()
    expect(page.locator(".round blockquote")).to_have_text("Well done.")
    expect(page.locator("#mappings")).to_contain_text("judged met (round 1)")


def test_add_evidence_shows_every_error_at_once_and_focus_starts_at_the_summary(
    enrolment, live_server, page, sign_in, see
):
    sign_in(page, enrolment.learner.email)
    page.goto(f"{live_server.url}/enrolments/{enrolment.pk}/evidence/new/")
    page.get_by_label("Assessment method").select_option(label="WT: Witness testimony")
    page.get_by_role("button", name="Create evidence").click()

    expect(page).to_have_title("Error: Add evidence · Evidence portfolio")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Not created: check the following")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Title: This field is required.",
            "Date: This field is required.",
            "Witness's name: Witness testimony needs the witness's name.",
            "Witness's job role: Witness testimony needs the witness's job role.",
        ]
    )
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.get_by_label("Witness's name")).to_have_attribute("aria-invalid", "true")
    one_main_and_no_sideways_scroll(page)
    see(page, "add-evidence-errors")

    summary.get_by_role(
        "link", name="Witness's job role: Witness testimony needs the witness's job role."
    ).click()
    expect(page.get_by_label("Witness's job role")).to_be_focused()


def test_the_declaration_left_unticked_gives_the_apps_message_on_the_field(
    enrolment, unit, live_server, page, sign_in, see
):
    evidence = create_evidence_for(enrolment)
    sign_in(page, enrolment.learner.email)
    page.goto(f"{live_server.url}/evidence/{evidence.pk}/")
    page.get_by_role("button", name="Submit to assessor").click()

    expect(page).to_have_title(f"Error: E1 {evidence.title} · Evidence portfolio")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#id_declaration_error")).to_have_text(
        "Confirm that this is your own work before submitting."
    )
    see(page, "declaration-error")


def test_a_heic_photo_shows_on_the_review_screen(enrolment, live_server, page, sign_in, see):
    photo = io.BytesIO()
    Image.new("RGB", (1200, 900), (40, 120, 200)).save(photo, format="HEIF", quality=60)
    evidence = create_evidence_for(enrolment, title="Photo of the team's planning board")
    files.add_files(
        user=enrolment.learner,
        evidence=evidence,
        uploads=[check_file(io.BytesIO(photo.getvalue()), name="IMG_2041.HEIC")],
    )
    sign_in(page, enrolment.assessor.email)
    page.goto(f"{live_server.url}/evidence/{evidence.pk}/review/")

    image = page.get_by_role("img", name="IMG_2041.HEIC (preview)")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    expect(page.locator("figcaption")).to_contain_text("HEIC photo, shown as a smaller copy")
    see(page, "review-heic-preview")


def test_a_refused_upload_does_not_look_finished(enrolment, live_server, page, sign_in, see):
    evidence = create_evidence_for(enrolment)
    sign_in(page, enrolment.learner.email)
    page.goto(f"{live_server.url}/evidence/{evidence.pk}/")
    page.get_by_label("Add files").set_input_files(
        [{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": EXE}]
    )
    page.get_by_role("button", name="Upload", exact=True).click()

    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads.get_by_role("status")).to_contain_text("“notes.pdf” was not uploaded")
    expect(uploads).to_contain_text("Not added")
    expect(uploads.get_by_role("progressbar")).to_have_count(0)
    see(page, "refused-upload")


def test_the_observation_form_offers_checkboxes_grouped_by_outcome(
    enrolment, live_server, page, sign_in, see
):
    sign_in(page, enrolment.assessor.email)
    page.goto(f"{live_server.url}/enrolments/{enrolment.pk}/observations/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a direct observation")
    expect(page.get_by_text("hold Ctrl")).to_have_count(0)
    outcome = page.locator("details.outcome-choices", has_text="LO3")
    expect(outcome).to_have_attribute("open", "")
    outcome.get_by_role("checkbox", name="3.1 Develop and implement a plan").check()
    page.get_by_label("Setting").fill("Riverside")  # date and account left out: every error shows at once
    page.get_by_role("button", name="Record observation").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.get_by_role("checkbox", name="3.1 Develop and implement a plan")).to_be_checked()
    one_main_and_no_sideways_scroll(page)
    see(page, "observation-form-errors")
