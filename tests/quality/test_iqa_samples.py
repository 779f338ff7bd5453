"""Internal verification of samples: decisions, reopening on disagreement, actions to closure, no
self-verification, and the IV's admin check and completion confirmation."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from assessments.models import Judgement, SignOff
from assessments.services import AssessmentError
from assessments.services.judging import Decision, judge_again
from assessments.services.observations import record_observation
from assessments.services.signatures import sign_off
from audit.models import AuditEntry
from centres.models import Enrolment, Membership
from notifications.models import Notification
from portfolio.models import Evidence
from quality.models import Action, Sample, SampleDecision, SamplingPlan
from quality.selectors.samples import actions_for
from quality.services.actions import close_action, respond_to_action
from quality.services.samples import decide_sample
from quality.services.signatures import confirm_completion, record_admin_check
from records.verification.signatures import verify_signatures
from tests.factories import DEFAULT_PASSWORD, EnrolmentFactory, lines_of, member
from tests.tampering import behind_the_triggers

ALL_VACS = {"valid": True, "authentic": True, "current": True, "sufficient": True}
TODAY = timezone.localdate


def make_sample(
    enrolment: Enrolment, specification, *, iv: User | None = None, kind: str = "interim", group=None
) -> Sample:
    """A sample as the plan generator would leave it: in a plan held by `iv` (default: the enrolment's IV)."""
    iv = iv or enrolment.internal_verifier
    plan = SamplingPlan.objects.create(
        centre=enrolment.centre,
        internal_verifier=iv,
        period_start=datetime.date(2026, 9, 1),
        period_end=datetime.date(2027, 8, 31),
        seed=1,
        generated_by=iv,
    )
    return Sample.objects.create(
        plan=plan,
        enrolment=enrolment,
        specification=specification,
        group=group,
        assessor=enrolment.assessor,
        kind=kind,
        reason="Chosen by hand for the test",
    )


def observe_everything(enrolment: Enrolment, specification) -> Evidence:
    """Every line met through one accepted observation, judged by the enrolment's assessor."""
    return record_observation(
        assessor=enrolment.assessor,
        enrolment=enrolment,
        date="2026-10-01",
        setting="Riverside",
        observed="Led the team meeting.",
        title="Observation",
        targets=lines_of(specification),
    )


def signed_unit(enrolment: Enrolment, specification) -> Evidence:
    evidence = observe_everything(enrolment, specification)
    sign_off(
        user=enrolment.learner, enrolment=enrolment, specification=specification, password=DEFAULT_PASSWORD
    )
    sign_off(
        user=enrolment.assessor, enrolment=enrolment, specification=specification, password=DEFAULT_PASSWORD
    )
    return evidence


def decide(
    sample: Sample, *, agrees: bool = True, iv: User | None = None, judgements=None, actions=(), **vacs
):
    return decide_sample(
        iv=iv or sample.plan.internal_verifier,
        sample=sample,
        agrees=agrees,
        vacs={**ALL_VACS, **vacs},
        feedback="Clear, well-referenced decisions." if agrees else "2.1 is not shown by this evidence.",
        judgements=list(Judgement.objects.filter(evidence__enrolment=sample.enrolment))
        if judgements is None
        else judgements,
        actions=list(actions),
    )


@pytest.fixture
def enrolment(unit):
    return EnrolmentFactory(specifications=[unit])


def test_the_iv_agrees_and_the_decision_keeps_the_checklist_and_what_was_looked_at(enrolment, unit):
    observe_everything(enrolment, unit)
    sample = make_sample(enrolment, unit)
    decision = decide(sample)
    assert (decision.agrees, decision.valid, decision.authentic, decision.current, decision.sufficient) == (
        True,
        True,
        True,
        True,
        True,
    )
    assert decision.judgements.count() == Judgement.objects.filter(evidence__enrolment=enrolment).count()
    assert AuditEntry.objects.filter(action="iqa.sample_decided").count() == 1


def test_agreeing_needs_every_vacs_box_ticked(enrolment, unit):
    observe_everything(enrolment, unit)
    with pytest.raises(
        AssessmentError, match=r"valid, authentic, current and sufficient \(current not ticked\)"
    ):
        decide(make_sample(enrolment, unit), current=False)
    assert SampleDecision.objects.count() == 0


def test_a_disagreement_reopens_the_judgements_looked_at_and_the_assessor_judges_them_again(enrolment, unit):
    evidence = observe_everything(enrolment, unit)
    looked = list(Judgement.objects.filter(evidence=evidence).order_by("pk")[:2])
    decide(make_sample(enrolment, unit), agrees=False, judgements=looked)
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.ACCEPTED
    assert [j.reopening.reason for j in Judgement.objects.filter(pk__in=[j.pk for j in looked])] == [
        f"IV disagreement on sample #{Sample.objects.get().pk} (interim sample of L/652/0848 for "
        f"{enrolment.learner.full_name})"
    ] * 2
    mapping = looked[0].mapping
    judge_again(
        assessor=enrolment.assessor,
        evidence=evidence,
        version=evidence.version,
        decisions=[Decision(mapping_id=mapping.pk, met=False, feedback="Needs more.")],
    )
    assert list(Judgement.objects.filter(mapping=mapping).values_list("round", "met")) == [
        (1, True),
        (2, False),
    ]


def test_a_disagreement_voids_every_signature_in_force_with_the_reason(enrolment, unit):
    signed_unit(enrolment, unit)
    sample = make_sample(enrolment, unit, kind=Sample.Kind.SUMMATIVE)
    decide(sample, agrees=False)
    signatures = SignOff.objects.filter(enrolment=enrolment)
    assert signatures.count() == 2
    assert not signatures.in_force().exists()
    assert set(signatures.values_list("void__reason", flat=True)) == {
        f"IV disagreement on sample #{sample.pk} (summative sample of L/652/0848 for {enrolment.learner.full_name})"
    }


def test_a_disagreement_is_audited_and_the_assessor_is_told(
    enrolment, unit, django_capture_on_commit_callbacks
):
    signed_unit(enrolment, unit)
    looked = list(Judgement.objects.filter(evidence__enrolment=enrolment)[:3])
    decide(
        make_sample(enrolment, unit, kind=Sample.Kind.SUMMATIVE),
        agrees=False,
        judgements=looked,
        actions=[("Re-judge 2.1 with the learner.", TODAY() + datetime.timedelta(days=7))],
    )
    actions = list(AuditEntry.objects.filter(action__startswith="iqa.").values_list("action", flat=True))
    assert sorted(actions) == sorted(
        ["iqa.sample_decided", "iqa.action_set", *["iqa.judgement_reopened"] * 3]
    )
    assert AuditEntry.objects.filter(action="signoff.voided").count() == 1
    notice = Notification.objects.get(
        recipient=enrolment.assessor, subject__startswith="Internal verification"
    )
    assert notice.subject == "Internal verification of L/652/0848: disagreed"
    action = Action.objects.get()
    assert (action.owner, action.set_by, action.status) == (
        enrolment.assessor,
        enrolment.internal_verifier,
        Action.Status.OPEN,
    )


def test_an_iv_cannot_sample_their_own_decisions(enrolment, unit):
    observe_everything(enrolment, unit)
    sample = make_sample(enrolment, unit, iv=enrolment.assessor)
    with pytest.raises(AssessmentError, match="You assessed this: these are your own assessment decisions"):
        decide(sample)
    assert SampleDecision.objects.count() == 0


def test_one_person_verifies_another_assessors_learner_but_never_their_own(unit):
    person = member(EnrolmentFactory().centre, Membership.Role.ASSESSOR)
    centre = person.memberships.get().centre
    Membership.objects.create(centre=centre, user=person, role=Membership.Role.INTERNAL_VERIFIER)
    own = EnrolmentFactory(centre=centre, assessor=person, specifications=[unit])
    other = EnrolmentFactory(centre=centre, internal_verifier=person, specifications=[unit])
    observe_everything(own, unit)
    observe_everything(other, unit)
    assert decide(make_sample(other, unit, iv=person), iv=person).agrees is True
    with pytest.raises(AssessmentError, match="You assessed this: these are your own assessment decisions"):
        decide(make_sample(own, unit, iv=person), iv=person)


def test_a_judgement_outside_the_sampled_learning_outcome_is_refused(enrolment, unit):
    observe_everything(enrolment, unit)
    first, second = unit.groups.order_by("position")[:2]
    sample = make_sample(enrolment, unit, group=first)
    outside = Judgement.objects.filter(evidence__enrolment=enrolment, mapping__criterion__group=second)[:1]
    with pytest.raises(AssessmentError, match="not part of this sample"):
        decide(sample, judgements=list(outside))


def test_a_sample_is_decided_once(enrolment, unit):
    observe_everything(enrolment, unit)
    sample = make_sample(enrolment, unit)
    decide(sample)
    with pytest.raises(AssessmentError, match="already decided"):
        decide(sample)


def test_a_summative_sample_waits_for_the_assessors_signature(enrolment, unit):
    observe_everything(enrolment, unit)
    with pytest.raises(AssessmentError, match="after the assessor signs L/652/0848 off"):
        decide(make_sample(enrolment, unit, kind=Sample.Kind.SUMMATIVE))


@pytest.fixture
def action(enrolment, unit):
    observe_everything(enrolment, unit)
    decide(
        make_sample(enrolment, unit),
        agrees=False,
        actions=[("Add the observation record.", TODAY() + datetime.timedelta(days=7))],
    )
    return Action.objects.get()


def test_only_the_owner_responds_to_an_action(enrolment, action):
    with pytest.raises(AssessmentError, match="Only the person the action was set for"):
        respond_to_action(assessor=enrolment.internal_verifier, action=action, response="Done")
    respond_to_action(assessor=enrolment.assessor, action=action, response="Added it.")
    action.refresh_from_db()
    assert (action.status, action.response) == (Action.Status.RESPONDED, "Added it.")


def test_closing_someone_elses_action_is_refused(enrolment, action):
    respond_to_action(assessor=enrolment.assessor, action=action, response="Added it.")
    another_iv = member(enrolment.centre, Membership.Role.INTERNAL_VERIFIER)
    with pytest.raises(
        AssessmentError,
        match=f"Only {enrolment.internal_verifier.full_name}, who set this action, can close it.",
    ):
        close_action(iv=another_iv, action=action)
    action.refresh_from_db()
    assert action.status == Action.Status.RESPONDED


def test_the_iv_who_set_an_action_closes_it_after_the_response(enrolment, action):
    with pytest.raises(AssessmentError, match="has not responded yet"):
        close_action(iv=enrolment.internal_verifier, action=action)
    respond_to_action(assessor=enrolment.assessor, action=action, response="Added it.")
    close_action(iv=enrolment.internal_verifier, action=action)
    action.refresh_from_db()
    assert action.status == Action.Status.CLOSED
    assert AuditEntry.objects.filter(action__in=["iqa.action_responded", "iqa.action_closed"]).count() == 2


def test_an_action_due_in_the_past_is_refused(enrolment, unit):
    observe_everything(enrolment, unit)
    with pytest.raises(AssessmentError, match="cannot be due in the past"):
        decide(make_sample(enrolment, unit), actions=[("Late", TODAY() - datetime.timedelta(days=1))])


def test_overdue_actions_stand_out(enrolment, action):
    Action.objects.filter(pk=action.pk).update(due_on=TODAY() - datetime.timedelta(days=1))
    later = Action.objects.create(
        sample=action.sample, owner=enrolment.assessor, set_by=enrolment.internal_verifier, text="Later",
        due_on=TODAY() + datetime.timedelta(days=3),
    )  # fmt: skip
    assert [(a.pk, a.is_overdue) for a in actions_for(enrolment.assessor)] == [
        (action.pk, True),
        (later.pk, False),
    ]
    respond_to_action(assessor=enrolment.assessor, action=action, response="Done late.")
    assert [a.is_overdue for a in actions_for(enrolment.internal_verifier)] == [False, False]


# Admin check and completion confirmation


@pytest.fixture
def agreed(enrolment, unit):
    signed_unit(enrolment, unit)
    return decide(make_sample(enrolment, unit, kind=Sample.Kind.SUMMATIVE))


def admin_check(enrolment, unit, iv=None, password=DEFAULT_PASSWORD):
    return record_admin_check(
        iv=iv or enrolment.internal_verifier,
        enrolment=enrolment,
        specification=unit,
        password=password,
        checked_on=TODAY(),
    )


def complete(enrolment, unit, iv=None, password=DEFAULT_PASSWORD):
    return confirm_completion(
        iv=iv or enrolment.internal_verifier, enrolment=enrolment, specification=unit, password=password
    )


def test_the_iv_records_the_admin_check_then_confirms_completion_covering_every_signature(
    enrolment, unit, agreed
):
    check = admin_check(enrolment, unit)
    completion = complete(enrolment, unit)
    signatures = {s.role: s for s in SignOff.objects.in_force().filter(enrolment=enrolment)}
    assert check.covered["checked_on"] == TODAY().isoformat()
    assert completion.covered["learner_signature"] == signatures["learner"].digest
    assert completion.covered["assessor_signature"] == signatures["assessor"].digest
    assert completion.covered["admin_check_signature"] == check.digest
    assert completion.covered["summative_sample"]["sample"] == agreed.sample_id
    assert completion.name_printed == enrolment.internal_verifier.full_name
    assert verify_signatures() == []


def test_completion_cannot_be_confirmed_before_a_summative_sample_is_agreed(enrolment, unit):
    signed_unit(enrolment, unit)
    decide(make_sample(enrolment, unit))  # interim only
    with pytest.raises(
        AssessmentError,
        match="Completion can be confirmed only after a summative sample of L/652/0848 is agreed",
    ):
        complete(enrolment, unit)
    assert not SignOff.objects.filter(role__in=["admin_check", "completion"]).exists()


def test_the_admin_check_needs_the_learner_and_assessor_signatures(enrolment, unit):
    observe_everything(enrolment, unit)
    with pytest.raises(AssessmentError, match="only after the learner and the assessor have signed"):
        admin_check(enrolment, unit)


def test_completion_needs_the_admin_check_first(enrolment, unit, agreed):
    with pytest.raises(AssessmentError, match="Record the admin check of L/652/0848 first"):
        complete(enrolment, unit)


def test_a_wrong_password_records_no_admin_check_or_completion(enrolment, unit, agreed):
    with pytest.raises(AssessmentError, match="That password is not right"):
        admin_check(enrolment, unit, password="wrong")
    admin_check(enrolment, unit)
    with pytest.raises(AssessmentError, match="That password is not right"):
        complete(enrolment, unit, password="wrong")
    assert not SignOff.objects.filter(role="completion").exists()


def test_completion_is_confirmed_once(enrolment, unit, agreed):
    admin_check(enrolment, unit)
    complete(enrolment, unit)
    with pytest.raises(AssessmentError, match="Unit completion of L/652/0848 is already recorded"):
        complete(enrolment, unit)


def test_an_iv_who_assessed_the_learner_cannot_confirm_completion(enrolment, unit, agreed):
    former = enrolment.assessor
    Membership.objects.create(centre=enrolment.centre, user=former, role=Membership.Role.INTERNAL_VERIFIER)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        internal_verifier=former, assessor=member(enrolment.centre, Membership.Role.ASSESSOR)
    )
    enrolment.refresh_from_db()
    with pytest.raises(AssessmentError, match="never verifies their own decisions"):
        admin_check(enrolment, unit, iv=former)


def test_another_iv_of_the_centre_cannot_sign_for_the_learners_iv(enrolment, unit, agreed):
    stranger = member(enrolment.centre, Membership.Role.INTERNAL_VERIFIER)
    with pytest.raises(AssessmentError, match="Only the learner's internal verifier"):
        admin_check(enrolment, unit, iv=stranger)


def test_changing_the_agreed_sample_after_completion_is_detected(enrolment, unit, agreed):
    admin_check(enrolment, unit)
    complete(enrolment, unit)
    behind_the_triggers(
        "UPDATE quality_sampledecision SET feedback = %s WHERE id = %s", ["Rewritten later", agreed.pk]
    )
    problems = verify_signatures()
    entry = AuditEntry.objects.get(action="iqa.sample_decided", subject_id=str(agreed.pk))
    decision = f"IV decision #{agreed.pk} on summative sample #{agreed.sample_id} (L/652/0848 for {enrolment.learner.full_name})"
    assert problems[2:] == [
        f"{decision}: the key signature does not verify: signature does not match key {agreed.key_id}",
        f"{decision}: its feedback differs from the audit trail's (audit entry {entry.pk})",
    ]
    assert len(problems) == 4
    assert all("what it covers has changed since signing (summative_sample)" in p for p in problems[:2])


def test_an_iv_cannot_sample_judgements_they_made_before_the_learner_changed_assessor(enrolment, unit):
    observe_everything(enrolment, unit)
    former = enrolment.assessor
    Membership.objects.create(centre=enrolment.centre, user=former, role=Membership.Role.INTERNAL_VERIFIER)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        assessor=member(enrolment.centre, Membership.Role.ASSESSOR), internal_verifier=former
    )
    enrolment.refresh_from_db()
    sample = make_sample(enrolment, unit, iv=former)
    with pytest.raises(AssessmentError, match="You assessed this: these are your own assessment decisions"):
        decide(sample, iv=former)
