"""Internal verification in a real browser: a disagreement with an action, the assessor's re-judgement and
response, closure, then a summative sample, the admin check and unit completion confirmed."""

import datetime

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from assessments.services.judging import Decision, decide, save_judgements
from assessments.services.observations import record_observation
from assessments.services.signatures import sign_off
from tests.conftest import UNIT_FIXTURE
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory, lines_of, submitted_evidence
from tests.quality.test_iqa_samples import make_sample
from units.services import import_specification_files


def accept_as_assessor(evidence) -> None:
    evidence.refresh_from_db()
    assessor = evidence.enrolment.assessor
    evidence = save_judgements(
        assessor=assessor,
        evidence=evidence,
        version=evidence.version,
        decisions=[Decision(mapping_id=m.pk, met=True) for m in evidence.mappings.all()],
    )
    decide(assessor=assessor, evidence=evidence, version=evidence.version, accept=True, feedback="")


def open_sample(page: Page, live_server, sample) -> None:
    page.goto(live_server.url + reverse("quality:plan", args=[sample.plan_id]))
    page.get_by_role("link", name=sample.enrolment.learner.full_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("sample:")


def test_iv_disagrees_assessor_rejudges_and_responds_then_iv_confirms_completion(
    transactional_db, live_server, desktop_page, sign_in, see
):
    (outcome,) = import_specification_files(paths=[UNIT_FIXTURE])
    unit = outcome.specification
    enrolment = EnrolmentFactory(specifications=[unit])
    lines = lines_of(unit)
    account = next(line for line in lines if line[0].ref == "2.1")
    record_observation(
        assessor=enrolment.assessor,
        enrolment=enrolment,
        date="2026-10-01",
        setting="Riverside",
        observed="Led the team meeting.",
        title="Observation of practice",
        targets=[line for line in lines if line != account],
    )
    evidence = submitted_evidence(enrolment, [account], title="Reflective account: relationships")
    accept_as_assessor(evidence)  # E2, judged 2.1 met in round 1
    interim = make_sample(enrolment, unit)
    iv, assessor = enrolment.internal_verifier, enrolment.assessor
    page = desktop_page

    sign_in(page, iv.email)
    open_sample(page, live_server, interim)
    page.get_by_label("Looked at E2 2.1 round 1").check()
    page.get_by_label("Disagree: reopen the judgements looked at").check()
    page.get_by_label("Feedback to the assessor").fill("E2 does not show relationships outside the home.")
    page.get_by_label("Action 1 for the assessor").fill("Discuss 2.1 with the learner and judge again.")
    due = timezone.localdate() + datetime.timedelta(days=7)
    page.get_by_label("Action 1 due on").fill(due.isoformat())
    page.get_by_role("button", name="Record decision").click()
    interim_heading = f"Interim sample: {enrolment.learner.full_name}, {unit.code}"
    interim_path = reverse("quality:sample_detail", args=[interim.pk])
    see(
        page,
        "disagreed",
        path=interim_path,
        heading=interim_heading,
        message="Decision recorded: you disagree",
    )

    sign_in(page, assessor.email)
    page.goto(live_server.url + reverse("quality:my_iqa"))
    expect(page.get_by_text("Discuss 2.1 with the learner and judge again.")).to_be_visible()
    expect(page.get_by_text("E2 does not show relationships outside the home.")).to_be_visible()
    see(page, "the assessor's actions", heading="Feedback and actions")
    page.get_by_role("link", name="E2 Reflective account: relationships").click()
    fieldset = page.locator("fieldset.judgement", has_text="L/652/0848 2.1")
    fieldset.get_by_label("Met", exact=True).check()
    page.get_by_role("button", name="Save judgements").click()
    expect(page.get_by_text("E2 judged again; the learner is told.")).to_be_visible()
    page.goto(live_server.url + reverse("quality:my_iqa"))
    page.get_by_label("Your response").fill("Discussed with the learner; E2 now shows 2.1 and is accepted.")
    page.get_by_role("button", name="Respond").click()
    see(page, "responded", heading="Feedback and actions", message="Response sent to the internal verifier.")

    sign_in(page, iv.email)
    open_sample(page, live_server, interim)
    page.get_by_role("button", name="Close action").click()
    see(page, "action closed", path=interim_path, heading=interim_heading, message="Action closed.")
    expect(page.locator(".iqa-action")).to_contain_text("Closed")

    for person in (enrolment.learner, assessor):
        sign_off(user=person, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)
    summative = make_sample(enrolment, unit, kind="summative")
    open_sample(page, live_server, summative)
    page.get_by_label("Looked at E2 2.1 round 2").check()
    page.get_by_label("Agree with the assessor").check()
    for box in ("Valid", "Authentic", "Current", "Sufficient"):
        page.get_by_label(box).check()
    page.get_by_label("Feedback to the assessor").fill("Sound decisions after the action.")
    page.get_by_role("button", name="Record decision").click()
    see(page, "agreed", message="Decision recorded: you agree with the assessor.")
    page.get_by_label("Your password, to sign the admin check").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign the admin check").click()
    see(page, "admin check signed", message="Signed: Internal verifier: admin check")
    page.get_by_label("Your password, to confirm unit completion").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Confirm unit completion").click()
    see(page, "completion confirmed", message="Signed: Internal verifier: unit completion confirmed")

    page.goto(live_server.url + reverse("assessments:criterion_matrix", args=[enrolment.pk, unit.pk]))
    completion = page.locator("#sign-off div", has_text="Unit completion confirmed")
    expect(completion).to_contain_text(iv.full_name)
