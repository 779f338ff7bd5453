"""The main flows with the keyboard alone (Tab, Shift+Tab, Space, Enter, typing), asserting after each step where
focus is and what the person sees. After an in-page update focus goes to the message, or stays on the matching
control in the new content, never to <body> (WCAG 2.4.3); a page that is loaded starts at the skip link."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from assessments.services.judging import Decision, save_judgements
from quality.models import Sample
from tests.conftest import UNIT_FIXTURE
from tests.factories import EnrolmentFactory, create_evidence_for, lines_of, submitted_evidence
from tests.quality.test_iqa_samples import make_sample
from tests.records.conftest import judged_met_and_accepted
from units.services import import_specification_files

UNIT = "L/652/0848"


def tab_to(page: Page, target: Locator, *, limit: int = 120) -> None:
    """Press Tab until `target` has focus, as a keyboard user would; fail if it is never reached."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} is not reached with the Tab key")


def starts_at_the_skip_link(page: Page) -> None:
    """A page that was loaded: the first Tab reaches "Skip to content"."""
    assert page.evaluate("document.activeElement === document.body")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()


@pytest.fixture
def enrolment(transactional_db):
    (outcome,) = import_specification_files(paths=[UNIT_FIXTURE])
    return EnrolmentFactory(specifications=[outcome.specification])


def test_a_learner_maps_removes_declares_and_submits_with_the_keyboard(
    enrolment, live_server, desktop_page, sign_in, see
):
    evidence = create_evidence_for(enrolment, title="Reflective account of a review")
    page = desktop_page
    sign_in(page, enrolment.learner.email)
    page.goto(live_server.url + reverse("portfolio:evidence_detail", args=[evidence.pk]))
    see(page, "the draft", heading="E1 Reflective account of a review")

    search = page.get_by_label("Find by reference or words")
    tab_to(page, search)
    page.keyboard.type("1.1")
    expect(page.locator("#picker-status")).to_have_text("1 criterion matches “1.1”.")
    expect(search).to_be_focused()
    see(page, "found 1.1")

    for item in ("a", "b"):
        tab_to(page, page.get_by_role("button", name=f"Map to {UNIT} 1.1 {item})"))
        page.keyboard.press("Enter")
        message = page.locator("#mapping-status .message")
        expect(message).to_have_text(f"E1 mapped to {UNIT} 1.1 {item}).")
        expect(message).to_be_focused()
        see(page, f"mapped 1.1 {item}", path=f"/evidence/{evidence.pk}/")

    tab_to(page, page.get_by_role("button", name=f"Remove {UNIT} 1.1 b)"))
    page.keyboard.press("Enter")
    message = page.locator("#mapping-status .message")
    expect(message).to_have_text("1.1 b) removed from E1.")
    expect(message).to_be_focused()
    see(page, "removed 1.1 b")

    declaration = page.get_by_label("This is my own work")
    tab_to(page, declaration)
    page.keyboard.press("Space")
    expect(declaration).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Submit to assessor"))
    page.keyboard.press("Enter")
    see(
        page,
        "submitted",
        path=f"/evidence/{evidence.pk}/",
        heading="E1 Reflective account of a review",
        message="E1 submitted to your assessor.",
    )
    starts_at_the_skip_link(page)


@pytest.fixture
def submitted(enrolment):
    lines = [line for line in lines_of(enrolment.specifications.get()) if line[0].ref in ("2.1", "2.2")]
    return submitted_evidence(enrolment, lines, title="Reflective account: relationships")


def test_an_assessor_judges_refers_without_feedback_and_saves_with_the_keyboard(
    submitted, live_server, desktop_page, sign_in, see
):
    page = desktop_page
    sign_in(page, submitted.enrolment.assessor.email)
    page.goto(live_server.url + reverse("assessments:review", args=[submitted.pk]))
    see(page, "the review screen", heading="E1 Reflective account: relationships")

    for ref in ("2.1", "2.2"):
        met = page.locator("fieldset.judgement", has_text=f"{UNIT} {ref}").get_by_label("Met", exact=True)
        tab_to(page, met)
        page.keyboard.press("Space")
        expect(met).to_be_checked()

    tab_to(page, page.get_by_role("button", name="Refer back"))
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Say what the learner should do: feedback is needed to refer evidence back.")
    expect(alert).to_be_focused()
    see(page, "refer back refused", path=f"/evidence/{submitted.pk}/review/")

    save = page.get_by_role("button", name="Save judgements")
    tab_to(page, save)
    page.keyboard.press("Enter")
    expect(page.locator("#review-status")).to_have_text("Judgements on E1 saved.")
    expect(save).to_be_focused()
    see(
        page,
        "saved",
        path=f"/evidence/{submitted.pk}/review/",
        heading="E1 Reflective account: relationships",
    )


def test_an_assessor_accepts_with_the_keyboard_and_lands_on_the_caseload(
    submitted, live_server, desktop_page, sign_in, see
):
    save_judgements(
        assessor=submitted.enrolment.assessor,
        evidence=submitted,
        version=submitted.version,
        decisions=[Decision(mapping_id=m.pk, met=True) for m in submitted.mappings.all()],
    )
    page = desktop_page
    sign_in(page, submitted.enrolment.assessor.email)
    page.goto(live_server.url + reverse("assessments:review", args=[submitted.pk]))

    tab_to(page, page.get_by_role("button", name="Accept"))
    page.keyboard.press("Enter")

    see(
        page,
        "accepted",
        path="/caseload/",
        heading="Your caseload",
        message="E1 accepted; the learner is told.",
    )
    starts_at_the_skip_link(page)


@pytest.fixture
def plan_of_two(enrolment):
    """A plan with two interim samples of the same learner's unit, first judged and accepted evidence."""
    unit = enrolment.specifications.get()
    lines = [line for line in lines_of(unit) if line[0].ref == "2.1"]
    judged_met_and_accepted(submitted_evidence(enrolment, lines, title="Reflective account: relationships"))
    first = make_sample(enrolment, unit)
    second = Sample.objects.create(
        plan=first.plan,
        enrolment=enrolment,
        specification=unit,
        assessor=enrolment.assessor,
        kind=Sample.Kind.INTERIM,
        reason="A second look",
        position=1,
        planned_for=datetime.date(2026, 12, 1),
    )
    return first, second


def test_an_iv_reorders_the_plan_and_decides_a_sample_with_the_keyboard(
    enrolment, plan_of_two, live_server, desktop_page, sign_in, see
):
    first, second = plan_of_two
    page = desktop_page
    sign_in(page, enrolment.internal_verifier.email)
    page.goto(live_server.url + reverse("quality:plan", args=[first.plan_id]))
    see(page, "the plan", heading=f"Sampling plan of {enrolment.internal_verifier.full_name}")

    move_down = page.locator(f"#move-down-{first.pk}")
    tab_to(page, move_down)
    page.keyboard.press("Enter")
    expect(page.locator("#plan-status")).to_have_text("Sample moved.")
    expect(page.locator("#plan-samples tbody tr").first).to_have_id(f"sample-{second.pk}")
    expect(move_down).to_be_focused()
    see(page, "moved down")

    tab_to(page, page.locator(f"#sample-{first.pk}").get_by_role("link", name=enrolment.learner.full_name))
    page.keyboard.press("Enter")
    heading = f"Interim sample: {enrolment.learner.full_name}, {UNIT}"
    see(page, "the sample", path=f"/samples/{first.pk}/", heading=heading)
    starts_at_the_skip_link(page)

    for box in (
        "Looked at E1 2.1 round 1",
        "Agree with the assessor",
        "Valid",
        "Authentic",
        "Current",
        "Sufficient",
    ):
        control = page.get_by_label(box)
        tab_to(page, control)
        page.keyboard.press("Space")
        expect(control).to_be_checked()
    tab_to(page, page.get_by_label("Feedback to the assessor"))
    page.keyboard.type("Sound, well-referenced decision.")
    tab_to(page, page.get_by_role("button", name="Record decision"))
    page.keyboard.press("Enter")
    see(
        page,
        "decided",
        path=f"/samples/{first.pk}/",
        heading=heading,
        message="Decision recorded: you agree with the assessor.",
    )
    starts_at_the_skip_link(page)
