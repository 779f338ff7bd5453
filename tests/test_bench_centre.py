"""bench/centre.py builds the centre it promises (at a tiny size: the shape, not the speed, is tested here).
The centre is built once for the module, in a transaction rolled back at its end; each test reads it."""

import datetime
import io

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from assessments.models import Judgement, Review
from assessments.selectors.met import current_round
from bench.centre import PASSWORD, Shape, build_centre
from centres.models import AssessmentMethod, Enrolment, Membership
from portfolio.models import Evidence, EvidenceMapping
from portfolio.services.evidence import create_evidence
from quality.models import Action, Sample, SampleDecision, SamplingPlan
from quality.selectors.coverage import as_summary, coverage
from signing.keys import verify_statement

SHAPE = Shape(learners=50, lead_caseload=5, heavy_pieces=4, heavy_mappings=10)


@pytest.fixture(scope="module")
def bench_keys(tmp_path_factory):
    return tmp_path_factory.mktemp("bench-keys")


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory, bench_keys):
    media, keys = tmp_path_factory.mktemp("bench-media"), bench_keys
    quick = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as the tests' own (tests/conftest.py)
    with (
        override_settings(
            MEDIA_ROOT=media,
            PASSWORD_HASHERS=quick,
            SIGNING_KEY_DIR=keys,
            SIGNING_KEYSET=keys / "keys.json",
            SIGNING_DEVELOPMENT_KEYS=True,
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_centre(SHAPE)
        transaction.set_rollback(True)


@pytest.fixture
def centre(built, db):
    return built


def test_every_learner_is_enrolled_with_an_assessor_and_an_iv(centre):
    enrolments = Enrolment.objects.filter(centre_id=centre.centre_id)
    assert enrolments.count() == 50
    assert not enrolments.filter(assessor=None).exists()
    assert not enrolments.filter(internal_verifier=None).exists()


def test_the_first_assessor_has_the_lead_caseload_and_the_others_forty(centre):
    # 5 for the first, then 40 and 5 for the other two
    sizes = [Enrolment.objects.filter(assessor__email=email).count() for email in centre.assessors]
    assert sizes == [5, 40, 5]


def test_staff_and_learners_hold_their_roles(centre):
    roles = Membership.objects.filter(centre_id=centre.centre_id)
    assert roles.filter(role=Membership.Role.LEARNER).count() == 50
    assert roles.filter(role=Membership.Role.ASSESSOR).count() == 3
    assert roles.filter(role=Membership.Role.INTERNAL_VERIFIER).count() == 2
    assert roles.filter(role=Membership.Role.ADMIN).count() == 1


def test_everyone_signs_in_with_the_bench_password_and_staff_have_an_authenticator(centre):
    assert all(check_password(PASSWORD, user.password) for user in User.objects.all())
    staff = [centre.admin, *centre.assessors, *centre.verifiers]
    assert TOTPDevice.objects.filter(user__email__in=staff, confirmed=True).count() == len(staff)
    assert not TOTPDevice.objects.filter(user__email__in=centre.learners).exists()


def test_an_ordinary_learner_has_four_pieces_the_first_accepted_ones_judged_met(centre):
    # learner 4 (index 3) has 3 accepted pieces, the fourth awaiting review
    pieces = Evidence.objects.filter(learner__email="learner4@bench.example").order_by("number")
    assert [p.status for p in pieces] == ["accepted", "accepted", "accepted", "submitted"]
    assert EvidenceMapping.objects.filter(evidence__in=pieces).count() == 4 * 8
    assert Judgement.objects.filter(evidence__in=pieces, met=True).count() == 3 * 8


def test_the_large_portfolio_has_its_pieces_mappings_and_files(centre):
    pieces = Evidence.objects.filter(
        enrolment_id=centre.heavy_enrolment_id, mappings__criterion__specification__code="SCDLMCB2"
    ).distinct()
    assert pieces.count() == 4
    assert EvidenceMapping.objects.filter(evidence__in=pieces).count() == 10
    assert Judgement.objects.filter(evidence__in=pieces, met=True).count() == 10
    assert all(piece.files.count() == 1 for piece in pieces)


def test_the_review_piece_is_in_its_third_round_with_forty_mappings_judged_twice(centre):
    piece = Evidence.objects.get(pk=centre.review_evidence_id)
    assert piece.status == Evidence.Status.RESUBMITTED
    assert current_round(piece) == 3
    assert piece.mappings.count() == 40
    assert list(Review.objects.filter(evidence=piece).values_list("decision", flat=True)) == ["referred"] * 2
    assert Judgement.objects.filter(evidence=piece, round__in=[1, 2]).count() == 80


def test_the_plan_samples_every_learner_twice_a_tenth_decided(centre):
    samples = Sample.objects.filter(plan_id=centre.plan_id)
    assert samples.count() == 100
    assert SampleDecision.objects.filter(sample__plan_id=centre.plan_id).count() == 10


def test_each_decision_is_signed_by_the_centre_key_over_its_statement(centre, settings, bench_keys):
    settings.SIGNING_KEY_DIR, settings.SIGNING_KEYSET = bench_keys, bench_keys / "keys.json"
    for decision in SampleDecision.objects.filter(sample__plan_id=centre.plan_id):
        statement = decision.statement()
        verify_statement(
            centre.centre_id, statement, decision.key_id, decision.key_signature, at=decision.decided_at
        )


def test_stored_progress_figures_agree_with_the_judgements(centre):
    call_command("recompute_progress", "--check", stdout=io.StringIO())  # CommandError if any differs


def test_the_plan_has_its_coverage_stored_as_its_samples_give_it(centre):
    plan = SamplingPlan.objects.get(pk=centre.plan_id)
    assert plan.coverage_summary is not None
    assert plan.coverage_summary == as_summary(coverage(plan))


def test_every_tenth_decision_has_an_action(centre):
    assert Action.objects.filter(sample__plan_id=centre.plan_id).count() == 1


def test_the_next_piece_a_learner_adds_is_numbered_after_the_built_ones(centre):
    enrolment = Enrolment.objects.get(pk=centre.heavy_enrolment_id)
    piece = create_evidence(
        learner=enrolment.learner,
        enrolment=enrolment,
        title="One more",
        date=datetime.date(2026, 10, 1),
        method=AssessmentMethod.objects.get(centre=enrolment.centre, code="RA"),
    )
    assert piece.number == 4 + 4 + 1  # four ordinary pieces, four of the large portfolio
