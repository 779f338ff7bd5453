"""An assessor's round trip with a learner, to signatures on a complete unit, in a real browser."""

from playwright.sync_api import Page, expect

from assessments.services.observations import record_observation
from tests.conftest import UNIT_FIXTURE
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory, lines_of, submitted_evidence
from units.models import Criterion
from units.services import import_specification_files


def judge(page: Page, ref: str, verdict: str, feedback: str = "") -> None:
    fieldset = page.locator("fieldset.judgement", has_text=f"L/652/0848 {ref}")
    fieldset.get_by_label(verdict, exact=True).check()
    if feedback:
        fieldset.get_by_label(f"Feedback on {ref}").fill(feedback)


def test_assessor_refers_back_then_accepts_and_both_sign_the_complete_unit(
    transactional_db, live_server, desktop_page, sign_in, see
):
    (outcome,) = import_specification_files(paths=[UNIT_FIXTURE])
    unit = outcome.specification
    enrolment = EnrolmentFactory(specifications=[unit])
    wanted = {"1.1": "a", "2.1": None, "2.2": None}
    targets = [
        (criterion, criterion.range_items.get(ref=wanted[criterion.ref]) if wanted[criterion.ref] else None)
        for criterion in Criterion.objects.filter(specification=unit, ref__in=wanted)
    ]
    evidence = submitted_evidence(enrolment, targets, title="Reflective account: leading co-production")
    late = submitted_evidence(enrolment, [targets[2]], title="Late account")
    page = desktop_page

    sign_in(page, enrolment.assessor.email)
    page.get_by_role("link", name="Caseload").click()
    see(page, "the caseload", path="/caseload/", heading="Your caseload")
    page.get_by_role("link", name="E1 Reflective account: leading co-production").click()  # the oldest
    see(page, "the review screen", path=f"/evidence/{evidence.pk}/review/", heading=f"E1 {evidence.title}")
    judge(page, "1.1 a)", "Met")
    judge(page, "2.1", "Met")
    judge(page, "2.2", "Not yet met", "Say how your service supports relationships outside the home.")
    page.get_by_label("Feedback to the learner").fill("Nearly there: see 2.2.")
    page.get_by_role("button", name="Refer back").click()
    see(
        page,
        "referred back",
        path="/caseload/",
        heading="Your caseload",
        message="E1 referred back; the learner is told.",
    )

    sign_in(page, enrolment.learner.email)
    page.goto(f"{live_server.url}/evidence/{evidence.pk}/")
    expect(page.get_by_text("Nearly there: see 2.2.")).to_be_visible()
    see(page, "the learner reads the feedback", heading=f"E1 {evidence.title}")
    page.get_by_role("link", name="Edit details").click()
    page.get_by_label("Account").fill(
        "I added how we support people to keep in touch with friends and clubs."
    )
    page.get_by_role("button", name="Save").click()
    see(page, "saved", path=f"/evidence/{evidence.pk}/", heading=f"E1 {evidence.title}", message="E1 saved.")
    page.get_by_label("This is my own work").check()
    page.get_by_role("button", name="Resubmit to assessor").click()
    see(page, "resubmitted", path=f"/evidence/{evidence.pk}/", message="E1 submitted to your assessor.")

    sign_in(page, enrolment.assessor.email)
    page.get_by_role("link", name="Caseload").click()
    page.get_by_role("link", name="E1 Reflective account: leading co-production").click()
    expect(page.get_by_role("heading", name="Round 1: Referred back")).to_be_visible()
    judge(page, "1.1 a)", "Met")
    judge(page, "2.1", "Met")
    judge(page, "2.2", "Met")
    page.get_by_role("button", name="Accept").click()
    see(
        page,
        "accepted",
        path="/caseload/",
        heading="Your caseload",
        message="E1 accepted; the learner is told.",
    )

    record_observation(  # the remaining criteria, met by an observation (seeded)
        assessor=enrolment.assessor,
        enrolment=enrolment,
        date="2026-10-20",
        setting="Riverside",
        observed="Observed leading practice.",
        title="Observation of practice",
        targets=[
            line for line in lines_of(unit) if line[0].ref not in ("2.1", "2.2") and line[0].ref != "1.1"
        ]
        + [line for line in lines_of(unit) if line[0].ref == "1.1"],
    )

    sign_in(page, enrolment.learner.email)
    page.goto(f"{live_server.url}/enrolments/{enrolment.pk}/specifications/{unit.pk}/matrix/")
    expect(page.get_by_text("30 of 30 met")).to_be_visible()
    page.get_by_label("Your password, to sign").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign: submitted to assessor as complete").click()
    matrix = f"/enrolments/{enrolment.pk}/specifications/{unit.pk}/matrix/"
    see(
        page,
        "the learner signed",
        path=matrix,
        message="Signed: Candidate: submitted to assessor as complete",
    )

    sign_in(page, enrolment.assessor.email)
    page.goto(f"{live_server.url}/enrolments/{enrolment.pk}/specifications/{unit.pk}/matrix/")
    page.get_by_label("Your password, to sign").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign: assessed complete").click()
    see(page, "the assessor signed", path=matrix, message="Signed: Assessor: assessed complete")
    expect(page.locator(".overall")).to_contain_text("30 of 30 met (100%)")
    expect(page.locator(".signatures")).to_contain_text(enrolment.learner.full_name)
    expect(page.locator(".signatures")).to_contain_text(enrolment.assessor.full_name)

    page.goto(f"{live_server.url}/evidence/{late.pk}/review/")
    expect(
        page.get_by_text("E2 is covered by the sign-off of L/652/0848: its judgements are frozen.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Save judgements")).to_have_count(0)
