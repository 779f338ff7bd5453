"""The seed unit and NOS in the catalogue are the seed documents, word for word."""

import pytest

from tests.seed_text import SeedCriterion, SeedGroup, standard_headings, unit_outcomes
from units.models import Criterion, Group, Guidance, RangeItem


def catalogue_groups(specification) -> list[SeedGroup]:
    """The catalogue's groups in the seed parser's shape, so the two compare field by field."""
    groups = Group.objects.filter(specification=specification).prefetch_related("criteria__range_items")
    return [
        SeedGroup(
            number=group.number,
            title=group.title,
            kind=group.kind,
            criteria=tuple(
                SeedCriterion(
                    ref=criterion.ref,
                    text=criterion.text,
                    range=tuple((item.ref, item.text) for item in criterion.range_items.all()),
                )
                for criterion in group.criteria.all()
            ),
        )
        for group in groups
    ]


def test_unit_has_seven_learning_outcomes_24_criteria_and_nine_range_items(unit):
    assert Group.objects.filter(specification=unit).count() == 7
    assert Criterion.objects.filter(specification=unit).count() == 24
    assert RangeItem.objects.filter(criterion__specification=unit).count() == 9


def test_unit_range_items_sit_under_1_1_3_5_and_3_6(unit):
    refs = list(
        RangeItem.objects.filter(criterion__specification=unit)
        .order_by("criterion__position", "position")
        .values_list("criterion__ref", "ref")
    )
    assert refs == [
        ("1.1", "a"), ("1.1", "b"), ("1.1", "c"), ("1.1", "d"), ("1.1", "e"),
        ("3.5", "a"), ("3.5", "b"), ("3.6", "a"), ("3.6", "b"),
    ]  # fmt: skip


def test_unit_learning_outcomes_3_5_and_7_are_skill_based(unit):
    skill = Group.objects.filter(specification=unit, kind=Group.Kind.SKILL).values_list("number", flat=True)
    assert list(skill) == ["3", "5", "7"]


def test_unit_header_matches_the_seed(unit):
    assert (unit.kind, unit.code, unit.title) == (
        "unit",
        "L/652/0848",
        "Leading Person-centred Practice in Adult Care",
    )
    assert (unit.level, unit.credits, unit.guided_learning_hours) == (5, 5, 26)
    assert "Learning Outcomes 3, 5 and 7 are skill based" in unit.assessment_requirements


def test_every_unit_outcome_criterion_and_range_item_reads_as_in_the_seed(unit):
    assert catalogue_groups(unit) == unit_outcomes()


def test_standard_has_45_performance_criteria_under_3_headings(standard):
    headings = Group.objects.filter(specification=standard, kind=Group.Kind.PERFORMANCE)
    assert headings.count() == 3
    assert Criterion.objects.filter(group__in=headings).count() == 45


def test_standard_has_107_knowledge_points_under_13_headings(standard):
    headings = Group.objects.filter(specification=standard, kind=Group.Kind.KNOWLEDGE)
    assert headings.count() == 13
    assert Criterion.objects.filter(group__in=headings).count() == 107


def test_standard_is_known_by_its_alias(standard):
    assert standard.aliases == ["H7LR 04"]


def test_every_standard_heading_and_criterion_reads_as_in_the_seed(standard):
    assert catalogue_groups(standard) == standard_headings()


def test_knowledge_point_100_keeps_the_seed_typo(standard):
    k100 = Criterion.objects.get(specification=standard, ref="K100")
    assert "soci-economic" in k100.text
    assert k100.group.title == "Knowledge that is Specific to this NOS"


def test_performance_criterion_1_keeps_the_seed_spacing(standard):
    p1 = Criterion.objects.get(specification=standard, ref="P1")
    assert p1.text.endswith("positive outcomes for individuals .")


def test_cont_headings_continue_the_same_group(standard):
    titles = list(Group.objects.filter(specification=standard).values_list("title", flat=True))
    assert len(titles) == len(set(titles)) == 16
    assert not any("(cont)" in title for title in titles)


@pytest.mark.parametrize(
    ("ref", "terms"),
    [
        (
            "1.1",
            [
                "Strengths-based approaches",
                "Person-centred practice",
                "Active participation",
                "Outcome-based practice",
            ],
        ),
        ("2.1", ["Partnerships", "Collaboration", "Co-production", "Individuals", "Others"]),
        ("2.2", ["Relationships", "Community"]),
        ("2.3", ["Integrated service provision"]),
        ("5.2", ["Others"]),
        ("6.3", ["Considerations"]),
        ("6.4", ["Others"]),
    ],
)
def test_indicative_content_sits_beside_its_criterion(unit, ref, terms):
    criterion = Criterion.objects.get(specification=unit, ref=ref)
    assert [content.term for content in criterion.indicative_content.all()] == terms


def test_guidance_is_attached_to_the_unit_and_the_outcomes_it_concerns(unit):
    attached = {
        guidance.title: sorted(group.number for group in guidance.groups.all())
        for guidance in Guidance.objects.filter(specification=unit)
    }
    assert attached == {
        "Strategic leadership for person-centred, outcomes-based practice": [],
        "Implementing outcome-based practice": ["1", "3"],
        "Partnership working in adult care": ["2"],
    }


def test_guidance_keeps_the_seed_wording_and_notes_the_care_act_correction(unit):
    guidance = Guidance.objects.get(specification=unit, title__startswith="Strategic leadership")
    assert any("Care Act 2016" in concept for concept in guidance.key_concepts)
    assert "Care Act 2014" in guidance.notes
    assert len(guidance.marking_points) == 5
