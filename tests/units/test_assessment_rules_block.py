"""The optional assessment-rules block of portfolio-spec/1: which lines need a direct observation, and whether a
remote one counts. Without it, every `skill` group needs one, as before the block existed."""

import pytest

from tests.conftest import UNIT_FIXTURE, UNIT_V1_FIXTURE
from tests.factories import specification_document
from units import spec_format
from units.models import Criterion, Group, Specification
from units.selectors import specification_document as exported_document
from units.services import ImportRefused, import_specification, import_specification_files

pytestmark = pytest.mark.django_db


def imported(**fields) -> Specification:
    document = spec_format.normalise(specification_document(code="R/000/0001", groups=3, **fields))
    return import_specification(document=document, source="rules.yaml").specification


def numbers_needing_observation(specification: Specification) -> list[str]:
    return list(
        Group.objects.filter(specification=specification, needs_observation=True).values_list(
            "number", flat=True
        )
    )


def refs_needing_observation(specification: Specification) -> list[str]:
    return list(
        Criterion.objects.filter(specification=specification, needs_observation=True).values_list(
            "ref", flat=True
        )
    )


def test_without_the_block_every_skill_group_needs_an_observation():
    specification = imported()
    assert specification.assessment_rules == {}
    assert numbers_needing_observation(specification) == ["2"]
    assert refs_needing_observation(specification) == ["2.1", "2.2", "2.3", "2.4", "2.5"]


def test_the_block_names_the_groups_that_need_an_observation_instead_of_the_skill_groups():
    specification = imported(assessment_rules={"direct_observation": {"groups": ["1", "3"]}})
    assert numbers_needing_observation(specification) == ["1", "3"]


def test_an_empty_list_of_groups_means_no_group_needs_an_observation():
    specification = imported(assessment_rules={"direct_observation": {"groups": []}})
    assert numbers_needing_observation(specification) == []
    assert exported_document(specification)["assessment_rules"] == {"direct_observation": {"groups": []}}


def test_the_block_adds_single_criteria_to_the_skill_groups():
    specification = imported(assessment_rules={"direct_observation": {"criteria": ["1.3"]}})
    assert numbers_needing_observation(specification) == ["2"]
    assert refs_needing_observation(specification) == ["1.3", "2.1", "2.2", "2.3", "2.4", "2.5"]


def test_a_remote_observation_only_supplements_unless_the_block_says_it_counts():
    assert imported().remote_observation_counts is False
    counts = specification_document(
        code="R/000/0002", assessment_rules={"direct_observation": {"remote": "counts"}}
    )
    assert (
        import_specification(document=counts, source="r.yaml").specification.remote_observation_counts is True
    )


def test_the_seed_unit_states_its_rule_as_version_2():
    (outcome,) = import_specification_files(paths=[UNIT_FIXTURE])
    unit = outcome.specification
    assert (unit.version, unit.assessment_rules) == (
        "2",
        {"direct_observation": {"groups": ["3", "5", "7"], "remote": "supplement"}},
    )
    assert numbers_needing_observation(unit) == ["3", "5", "7"]


def test_the_old_version_without_the_block_still_imports_beside_the_new_one():
    outcomes = import_specification_files(paths=[UNIT_V1_FIXTURE, UNIT_FIXTURE])
    old, new = (outcome.specification for outcome in outcomes)
    assert [(old.version, old.assessment_rules), new.version] == [("1", {}), "2"]
    assert numbers_needing_observation(old) == ["3", "5", "7"]  # its skill groups, as always
    assert "assessment_rules" not in exported_document(old)
    assert exported_document(old) == spec_format.parse(UNIT_V1_FIXTURE.read_bytes(), source="v1.yaml")


def test_a_standard_without_the_block_needs_no_observation(standard):
    assert numbers_needing_observation(standard) == []
    assert refs_needing_observation(standard) == []


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        (
            {"direct_observation": {"groups": ["9"]}},
            'assessment_rules.direct_observation.groups[0]: no group numbered "9" in this specification',
        ),
        (
            {"direct_observation": {"criteria": ["1.1", "4.4"]}},
            'assessment_rules.direct_observation.criteria[1]: no criterion "4.4" in this specification',
        ),
        (
            {"direct_observation": {"groups": ["2", "2"]}},
            'assessment_rules.direct_observation.groups[1]: "2" is listed twice',
        ),
        (
            {"direct_observation": {"remote": "sometimes"}},
            'assessment_rules.direct_observation.remote: must be one of supplement, counts, not "sometimes"',
        ),
        (
            {"direct_observations": {}},
            'assessment_rules.direct_observations: unknown field (did you mean "direct_observation"?)',
        ),
    ],
    ids=["unknown group", "unknown criterion", "group twice", "remote misspelt", "block misspelt"],
)
def test_a_broken_block_is_refused_with_its_place(tmp_path, rules, problem):
    path = tmp_path / "rules.yaml"
    path.write_text(
        spec_format.dump({**specification_document(), "assessment_rules": rules}), encoding="utf-8"
    )
    with pytest.raises(ImportRefused) as refused:
        import_specification_files(paths=[path])
    assert refused.value.lines == [f"{path}: {problem}"]
    assert not Specification.objects.exists()
