"""The sampling strategy and sampling plans: risk-based shares, CAMERA coverage, reproducibility, bad input."""

import datetime
from collections import Counter

import pytest

from assessments.models import Judgement, SignOff
from assessments.services import AssessmentError
from assessments.services.judging import Decision, decide, save_judgements
from assessments.services.observations import record_observation
from audit.models import AuditEntry
from centres.models import Membership
from quality.models import AssessorRisk, Rating, Sample
from quality.selectors.coverage import coverage
from quality.services.plans import add_sample, generate_plan, move_sample, remove_sample
from quality.services.strategy import strategy_for, update_strategy
from tests.factories import CentreFactory, EnrolmentFactory, member, submitted_evidence
from units.models import Criterion, Group

START = datetime.date(2026, 12, 1)
LEVELS = {Rating.HIGH: (100, 100), Rating.MEDIUM: (50, 50), Rating.LOW: (20, 20)}


def judged(enrolment, targets, method_code: str, site: str = "") -> None:
    """Submitted by the learner in `method_code`, judged met and accepted by the assessor."""
    details = {"method_code": method_code, "assessment_site": site}
    if method_code in ("WT", "EW"):
        details |= {"witness_name": "Sam Carer", "witness_role": "Senior carer"}
    evidence = submitted_evidence(enrolment, targets, **details)
    evidence = save_judgements(
        assessor=enrolment.assessor,
        evidence=evidence,
        version=evidence.version,
        decisions=[Decision(mapping_id=m.pk, met=True) for m in evidence.mappings.all()],
    )
    decide(assessor=enrolment.assessor, evidence=evidence, version=evidence.version, accept=True, feedback="")


def observed(enrolment, targets, site: str = "Riverside") -> None:
    record_observation(
        assessor=enrolment.assessor, enrolment=enrolment, date="2026-10-01", setting=site,
        observed="Observed practice.", title="Observation", targets=targets,
    )  # fmt: skip


def criterion(specification, ref: str) -> tuple[Criterion, None]:
    return Criterion.objects.get(specification=specification, ref=ref), None


@pytest.fixture
def centre(db):
    return CentreFactory()


@pytest.fixture
def iv(centre):
    return member(centre, Membership.Role.INTERNAL_VERIFIER, full_name="Iris Verifier")


@pytest.fixture
def assessors(centre):
    return {
        rating: member(centre, Membership.Role.ASSESSOR, full_name=f"{rating.label.split()[0]} Assessor")
        for rating in (Rating.HIGH, Rating.MEDIUM, Rating.LOW)
    }


@pytest.fixture
def rated(centre, iv, assessors):
    return update_strategy(
        centre=centre,
        by=iv,
        period_months=12,
        interim_percent=60,
        levels=LEVELS,
        ratings={a.pk: (rating, f"{rating} because") for rating, a in assessors.items()},
    )


@pytest.fixture
def centre_of_30(centre, iv, assessors, rated, unit, standard):
    """30 learners, 10 per assessor, each on both seed specifications, with judged evidence in several
    methods and sites; one unit signed off by the assessor so that summative samples exist."""
    enrolments = {rating: [] for rating in assessors}
    for i in range(30):
        rating = list(assessors)[i % 3]
        enrolments[rating].append(
            EnrolmentFactory(
                centre=centre,
                assessor=assessors[rating],
                internal_verifier=iv,
                specifications=[unit, standard],
                start_date=datetime.date(2026, 1, 5),
            )
        )
    for group in enrolments.values():
        for n, enrolment in enumerate(group[:4]):
            if n == 0:
                observed(enrolment, [criterion(unit, "3.1"), criterion(standard, "P6")], site="Riverside")
            elif n == 1:
                judged(enrolment, [criterion(standard, "K14")], "RA")
            elif n == 2:
                judged(
                    enrolment, [criterion(standard, "P7"), criterion(standard, "K1")], "WT", site="Oak House"
                )
            else:
                judged(enrolment, [criterion(standard, "K20")], "PD")
    return enrolments


def risk_samples(plan, rating: Rating) -> list[Sample]:
    word = {Rating.HIGH: "High-risk", Rating.MEDIUM: "Medium-risk", Rating.LOW: "Low-risk"}[rating]
    return [s for s in plan.samples.all() if s.reason.startswith(f"{word} assessor")]


def test_the_strategy_is_created_with_the_usual_defaults(centre):
    strategy = strategy_for(centre)
    assert (strategy.period_months, strategy.interim_percent) == (12, 60)
    assert sorted(strategy.levels.values_list("rating", "learners_percent", "units_percent")) == [
        ("high", 100, 100),
        ("low", 20, 20),
        ("medium", 50, 50),
    ]


def test_updating_the_strategy_rates_every_assessor_and_is_audited(centre, iv, assessors, rated):
    assert AssessorRisk.objects.filter(strategy=rated).count() == 3
    entry = AuditEntry.objects.get(action="iqa.strategy_updated")
    assert entry.before["ratings"] == {}
    assert entry.after["ratings"][str(assessors[Rating.HIGH].pk)] == ["high", "high because"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"interim_percent": 101}, "Interim share must be a whole number from 0 to 100"),
        ({"interim_percent": -1}, "Interim share must be a whole number from 0 to 100"),
        ({"levels": {**LEVELS, Rating.MEDIUM: (120, 50)}}, "Medium: learners sampled must be"),
        ({"levels": {**LEVELS, Rating.LOW: (20, -5)}}, "Low (experienced): units sampled must be"),
    ],
)
def test_percentages_outside_0_to_100_are_refused_naming_the_field(centre, iv, assessors, change, message):
    arguments = {
        "centre": centre,
        "by": iv,
        "period_months": 12,
        "interim_percent": 60,
        "levels": LEVELS,
        "ratings": {a.pk: (r, "") for r, a in assessors.items()},
    } | change
    with pytest.raises(AssessmentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        update_strategy(**arguments)
    assert not AuditEntry.objects.filter(action="iqa.strategy_updated").exists()


def test_an_assessor_without_a_rating_is_refused_by_name(centre, iv, assessors):
    ratings = {assessors[Rating.HIGH].pk: ("high", ""), assessors[Rating.MEDIUM].pk: ("medium", "")}
    with pytest.raises(AssessmentError, match="No rating for Low Assessor: choose high, medium or low."):
        update_strategy(
            centre=centre, by=iv, period_months=12, interim_percent=60, levels=LEVELS, ratings=ratings
        )
    assert not AssessorRisk.objects.exists()


def test_the_plan_samples_each_assessor_by_their_risk(centre, iv, centre_of_30):
    plan = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=7)
    high, medium, low = (risk_samples(plan, r) for r in (Rating.HIGH, Rating.MEDIUM, Rating.LOW))
    assert len({s.enrolment_id for s in high}) == 10  # 100% of 10 learners
    assert len(high) == 20  # 100% of both units
    assert len({s.enrolment_id for s in medium}) == 5  # 50% of 10
    assert len(medium) == 5  # 50% of 2 units = 1 each
    assert len({s.enrolment_id for s in low}) == 2  # 20% of 10
    assert len(low) == 2
    assert plan.period_end == datetime.date(2027, 12, 1)
    assert {s.assessor_id for s in high} == {centre_of_30[Rating.HIGH][0].assessor_id}


def test_the_plan_covers_every_camera_item_that_exists(centre, iv, centre_of_30):
    plan = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=7)
    table = {row.letter: row for row in coverage(plan)}
    assert [row.missing for row in table.values()] == [[]] * 7
    assert len(table["A"].items) == 3
    assert sorted(i.label for i in table["M"].items) == ["OBS", "PD", "RA", "WT"]
    assert sorted(i.label for i in table["S"].items) == ["Oak House", "Riverside"]
    judged_groups = {
        f"{g.specification.code} {g.label}"
        for g in Group.objects.filter(pk__in=Judgement.objects.values("mapping__criterion__group_id"))
    }
    assert {i.label for i in table["L"].items} == judged_groups
    assert len(judged_groups) >= 4


def test_coverage_lists_what_a_plan_misses(centre, iv, centre_of_30):
    plan = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=7)
    plan.samples.filter(reason__startswith="Covers method WT").delete()
    plan.samples.exclude(assessor=centre_of_30[Rating.HIGH][0].assessor).delete()
    table = {row.letter: row for row in coverage(plan)}
    assert sorted(table["A"].missing) == ["Low Assessor", "Medium Assessor"]


def test_the_same_seed_and_data_give_the_same_plan(centre, iv, centre_of_30):
    def shape(plan):
        return [
            (s.enrolment_id, s.specification_id, s.group_id, s.kind, s.reason, s.planned_for, s.position)
            for s in plan.samples.order_by("position")
        ]

    first = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=42)
    again = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=42)
    other = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=43)
    assert shape(first) == shape(again)
    assert shape(first) != shape(other)
    assert first.seed == 42


def test_a_plan_without_a_seed_stores_the_random_one_it_used(centre, iv, centre_of_30):
    plan = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv)
    again = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=plan.seed)
    assert list(plan.samples.values_list("enrolment_id", "specification_id", "group_id")) == list(
        again.samples.values_list("enrolment_id", "specification_id", "group_id")
    )


def test_summative_samples_are_taken_of_signed_off_units_and_interim_of_the_rest(
    centre, iv, centre_of_30, unit
):
    enrolment = centre_of_30[Rating.HIGH][5]
    SignOff.objects.create(
        enrolment=enrolment, specification=unit, role=SignOff.Role.ASSESSOR, signer=enrolment.assessor,
        name_printed="x", signed_at="2026-11-01T10:00Z", covered={}, digest="0" * 64,
    )  # fmt: skip
    plan = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=7)
    kinds = Counter(plan.samples.filter(enrolment=enrolment).values_list("specification__code", "kind"))
    assert kinds == {("L/652/0848", "summative"): 1, ("SCDLMCB2", "interim"): 1}


def test_interim_samples_without_judged_evidence_say_so(centre, iv, centre_of_30):
    plan = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=7)
    unjudged = plan.samples.get(enrolment=centre_of_30[Rating.HIGH][9], specification__code="L/652/0848")
    assert unjudged.reason == (
        "High-risk assessor: 100% of learners sampled; no judged evidence in this unit yet: look at the "
        "assessment plan"
    )


def test_nothing_to_sample_is_an_error_not_an_empty_plan(centre, iv, assessors, rated, unit):
    EnrolmentFactory(centre=centre, assessor=assessors[Rating.HIGH], specifications=[unit])
    with pytest.raises(
        AssessmentError,
        match=f"Nothing to sample for {centre.name} yet: no assessor has judged any evidence.",
    ):
        generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv)
    assert not centre.sampling_plans.exists()


def test_an_iv_who_is_also_an_assessor_never_samples_their_own_learners(
    centre, iv, centre_of_30, unit, standard
):
    Membership.objects.create(centre=centre, user=iv, role=Membership.Role.ASSESSOR)
    AssessorRisk.objects.create(strategy=strategy_for(centre), assessor=iv, rating=Rating.HIGH)
    own = [EnrolmentFactory(centre=centre, assessor=iv, specifications=[unit, standard]) for _ in range(3)]
    for enrolment in own:
        observed(enrolment, [criterion(unit, "5.1")], site="Own site")
    plan = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=7)
    assert not plan.samples.filter(enrolment__in=own).exists()
    assert not plan.samples.filter(assessor=iv).exists()
    labels = {i.label for row in coverage(plan) for i in row.items}
    assert "Own site" not in labels
    assert "Iris Verifier" not in labels


def test_judgements_the_iv_made_are_not_sampled(centre, iv, centre_of_30, unit):
    enrolment = centre_of_30[Rating.LOW][9]
    enrolment.assessor, original = iv, enrolment.assessor
    enrolment.save()
    observed(enrolment, [criterion(unit, "6.1")], site="Covering shift")
    enrolment.assessor = original
    enrolment.save()
    plan = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=7)
    labels = {i.label for row in coverage(plan) for i in row.items}
    assert "Covering shift" not in labels


def test_the_iv_adds_moves_and_removes_samples_by_hand_with_audit(centre, iv, centre_of_30, standard):
    plan = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=7)
    count = plan.samples.count()
    enrolment = centre_of_30[Rating.LOW][8]
    sample = add_sample(plan=plan, by=iv, enrolment=enrolment, specification=standard, reason="Complaint")
    assert (sample.position, sample.kind, sample.added_by_hand) == (count, "interim", True)
    moved = move_sample(sample=sample, by=iv, direction="up", planned_for=datetime.date(2027, 1, 4))
    assert (moved.position, moved.planned_for) == (count - 1, datetime.date(2027, 1, 4))
    remove_sample(sample=moved, by=iv)
    assert plan.samples.count() == count
    assert list(
        AuditEntry.objects.filter(action__startswith="iqa.sample").values_list("action", flat=True)
    ) == ["iqa.sample_added", "iqa.sample_moved", "iqa.sample_removed"]


def test_only_the_plans_iv_changes_it_and_never_to_verify_their_own_decisions(
    centre, iv, centre_of_30, standard
):
    plan = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=7)
    other_iv = member(centre, Membership.Role.INTERNAL_VERIFIER)
    enrolment = centre_of_30[Rating.LOW][8]
    with pytest.raises(AssessmentError, match="Only the plan's internal verifier"):
        add_sample(plan=plan, by=other_iv, enrolment=enrolment, specification=standard)
    own = EnrolmentFactory(centre=centre, assessor=iv, specifications=[standard])
    with pytest.raises(
        AssessmentError, match="You assessed this: .*an internal verifier never verifies their own"
    ):
        add_sample(plan=plan, by=iv, enrolment=own, specification=standard)
    with pytest.raises(AssessmentError, match="within the plan's period"):
        add_sample(
            plan=plan,
            by=iv,
            enrolment=enrolment,
            specification=standard,
            planned_for=START.replace(year=2030),
        )


def test_coverage_samples_are_added_for_what_risk_sampling_leaves_out(
    centre, iv, assessors, centre_of_30, standard
):
    update_strategy(
        centre=centre,
        by=iv,
        period_months=12,
        interim_percent=60,
        levels={**LEVELS, Rating.LOW: (0, 0)},
        ratings={a.pk: (rating, "") for rating, a in assessors.items()},
    )
    judged(centre_of_30[Rating.LOW][7], [criterion(standard, "K30")], "EW", site="Elm Court")
    plan = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=7)
    added = [s.reason for s in plan.samples.all() if s.reason.startswith("Covers")]
    assert added == ["Covers assessor Low Assessor", "Covers method EW"]  # EW also covers Elm Court, K30
    assert not risk_samples(plan, Rating.LOW)
    assert [row.missing for row in coverage(plan)] == [[]] * 7


def test_the_plan_aims_for_the_interim_and_summative_split(centre, iv, assessors, unit, standard):
    medium = assessors[Rating.MEDIUM]
    update_strategy(
        centre=centre,
        by=iv,
        period_months=6,
        interim_percent=50,
        levels={**LEVELS, Rating.MEDIUM: (100, 50)},
        ratings={a.pk: (rating, "") for rating, a in assessors.items()},
    )
    for _ in range(4):
        enrolment = EnrolmentFactory(centre=centre, assessor=medium, specifications=[unit, standard])
        observed(enrolment, [criterion(standard, "P6")])
        SignOff.objects.create(
            enrolment=enrolment, specification=unit, role=SignOff.Role.ASSESSOR, signer=medium,
            name_printed="x", signed_at="2026-11-01T10:00Z", covered={}, digest="0" * 64,
        )  # fmt: skip
    plan = generate_plan(centre=centre, internal_verifier=iv, period_start=START, by=iv, seed=3)
    assert Counter(plan.samples.values_list("kind", flat=True)) == {"interim": 2, "summative": 2}
    assert plan.period_end == datetime.date(2027, 6, 1)
