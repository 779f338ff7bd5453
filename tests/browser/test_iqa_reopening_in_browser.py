"""Issue 12 defect 7 as people see it: the IV disagrees on one line of a signed unit; the learner is told what was
reopened and which signatures were voided, and sees exactly that line waiting on the assessor (the other unit on
the same evidence still complete); the assessor judges that line again, and only that line."""

from django.urls import reverse
from playwright.sync_api import expect

from assessments.services.observations import record_observation
from assessments.services.signatures import sign_off
from quality.models import Sample
from tests.conftest import STANDARD_FIXTURE, UNIT_FIXTURE
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory, lines_of
from tests.quality.test_iqa_samples import make_sample
from units.services import import_specification_files

REOPENED_WORDS = "Reopened by the internal verifier on E1: awaiting the assessor's new judgement."


def test_a_disagreement_on_one_line_as_the_learner_and_the_assessor_see_it(
    transactional_db, live_server, desktop_page, phone_page, sign_in, see
):
    unit, standard = (
        o.specification for o in import_specification_files(paths=[UNIT_FIXTURE, STANDARD_FIXTURE])
    )
    enrolment = EnrolmentFactory(specifications=[unit, standard])
    observation = record_observation(
        assessor=enrolment.assessor, enrolment=enrolment, date="2026-10-01", setting="Riverside",
        observed="Led the team meeting.", title="Observation of practice",
        targets=lines_of(unit) + lines_of(standard),
    )  # fmt: skip
    for specification in (unit, standard):
        for person in (enrolment.learner, enrolment.assessor):
            sign_off(user=person, enrolment=enrolment, specification=specification, password=DEFAULT_PASSWORD)
    sample = make_sample(enrolment, unit, kind=Sample.Kind.SUMMATIVE)
    page = desktop_page

    sign_in(page, enrolment.internal_verifier.email)
    page.goto(live_server.url + reverse("quality:sample_detail", args=[sample.pk]))
    page.get_by_label("Looked at E1 1.2 round 1").check()
    page.get_by_label("Disagree: reopen the judgements looked at").check()
    page.get_by_label("Feedback to the assessor").fill(
        "E1 does not show 1.2: the team's views are not recorded."
    )
    page.get_by_role("button", name="Record decision").click()
    see(page, "the iv disagrees on 1.2", message="Decision recorded: you disagree")

    for learner_page in (page, phone_page):
        sign_in(learner_page, enrolment.learner.email)
        learner_page.goto(live_server.url + reverse("notifications:list"))
        expect(
            learner_page.get_by_text("L/652/0848: the internal verifier reopened 1 judgement(s)")
        ).to_be_visible()
        expect(
            learner_page.get_by_text(
                "Reopened to be judged again: L/652/0848 1.2 on E1. Signatures voided: L/652/0848 Candidate: "
                "submitted to assessor as complete; L/652/0848 Assessor: assessed complete."
            )
        ).to_be_visible()
        see(learner_page, "the learner is told", heading="Notifications")
    matrix = reverse("assessments:criterion_matrix", args=[enrolment.pk, unit.pk])
    page.goto(live_server.url + matrix)
    expect(page.get_by_text(REOPENED_WORDS)).to_have_count(1)
    see(page, "the learner's unit with one line reopened", path=matrix)
    page.goto(live_server.url + reverse("assessments:criterion_matrix", args=[enrolment.pk, standard.pk]))
    expect(page.get_by_text("Not yet met")).to_have_count(0)
    see(page, "the other unit on the same evidence is still met")

    sign_in(page, enrolment.assessor.email)
    page.goto(live_server.url + reverse("assessments:caseload"))
    page.get_by_role("link", name="E1 Observation of practice").click()
    expect(
        page.get_by_role("heading", name="Judge again what the internal verifier reopened")
    ).to_be_visible()
    expect(page.locator("fieldset.judgement")).to_have_count(1)
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
    see(page, "the assessor judges 1.2 again", path=reverse("assessments:review", args=[observation.pk]))
    page.locator("fieldset.judgement", has_text="L/652/0848 1.2").get_by_label("Met", exact=True).check()
    page.get_by_role("button", name="Save judgements").click()
    see(page, "judged again", message="E1 judged again; the learner is told.")
    expect(page.get_by_text("E1 is accepted: there is nothing to judge.")).to_be_visible()
    page.goto(live_server.url + matrix)
    expect(page.get_by_text(REOPENED_WORDS)).to_have_count(0)
    see(page, "the unit is met again, waiting for new signatures", path=matrix)
