"""Every malformed specification file is refused with a located, specific error and changes nothing."""

import copy
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.factories import specification_document
from units import spec_format
from units.models import Criterion, Definition, Group, Guidance, IndicativeContent, RangeItem, Specification


def catalogue_snapshot() -> list[list[tuple]]:
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (Specification, Definition, Group, Criterion, RangeItem, IndicativeContent, Guidance)
    ]


def document(**changes: Any) -> dict[str, Any]:
    return {
        **copy.deepcopy(specification_document(code="M/000/0001", groups=2, criteria_per_group=3)),
        **changes,
    }


def with_first_criterion(**fields: Any) -> dict[str, Any]:
    changed = document()
    changed["groups"][0]["criteria"][0] = fields
    return changed


def yaml_bytes(doc: dict[str, Any]) -> bytes:
    return spec_format.dump(doc).encode()


def _duplicate_ref() -> dict[str, Any]:
    changed = document()
    changed["groups"][1]["criteria"][2]["ref"] = "1.2"
    return changed


def _duplicate_range_ref() -> dict[str, Any]:
    changed = document()
    changed["groups"][0]["criteria"][0]["range"].append({"ref": "a", "text": "again"})
    return changed


def _duplicate_group_number() -> dict[str, Any]:
    changed = document()
    changed["groups"][1]["number"] = "1"
    return changed


def _unit_group_without_number() -> dict[str, Any]:
    changed = document()
    del changed["groups"][1]["number"]
    return changed


def _misspelt_field() -> dict[str, Any]:
    changed = document()
    changed["groups"][0]["titel"] = changed["groups"][0].pop("title")
    return changed


def _unknown_group_kind() -> dict[str, Any]:
    changed = document()
    changed["groups"][1]["kind"] = "practical"
    return changed


def _criteria_not_a_list() -> dict[str, Any]:
    changed = document()
    changed["groups"][0]["criteria"] = {"ref": "1.1", "text": "Explain"}
    return changed


def _guidance_for_a_missing_group() -> dict[str, Any]:
    return document(guidance=[{"title": "Tips", "applies_to": ["9"]}])


def _without(key: str) -> dict[str, Any]:
    changed = document()
    del changed[key]
    return changed


CASES: list[tuple[str, str, bytes | dict[str, Any], str]] = [
    ("missing ref", "m.yaml", with_first_criterion(text="Explain"), "m.yaml: groups[0].criteria[0].ref: required field is missing"),
    ("duplicate ref", "m.yaml", _duplicate_ref(), 'm.yaml: groups[1].criteria[2].ref: duplicate "1.2" (first at groups[0].criteria[1].ref)'),
    ("empty text", "m.yaml", with_first_criterion(ref="1.1", text="   "), "m.yaml: groups[0].criteria[0].text: must not be empty"),
    ("unknown kind", "m.yaml", document(kind="module"), 'm.yaml: kind: must be one of unit, standard, not "module"'),
    ("unknown group kind", "m.yaml", _unknown_group_kind(), 'm.yaml: groups[1].kind: must be one of knowledge, skill, performance, not "practical"'),
    ("version as a number", "m.yaml", document(version=1), 'm.yaml: version: expected text, got a number (1); put it in quotes: "1"'),
    ("level as text", "m.yaml", document(level="five"), 'm.yaml: level: expected a whole number, got text ("five")'),
    ("level out of range", "m.yaml", document(level=9), "m.yaml: level: must be from 1 to 8, not 9"),
    ("criteria not a list", "m.yaml", _criteria_not_a_list(), "m.yaml: groups[0].criteria: expected a list, got a mapping"),
    ("bad YAML", "m.yaml", b"format: portfolio-spec/1\ngroups: [unclosed\n", "m.yaml: invalid YAML at line 3, column 1"),
    ("not UTF-8", "m.yaml", "title: Café".encode("latin-1"), "m.yaml: not UTF-8 text: byte 0xe9 at offset 10; save it as UTF-8"),
    ("empty file", "m.yaml", b"  \n", "m.yaml: the file is empty"),
    ("a list, not a mapping", "m.yaml", b"- a\n- b\n", "m.yaml: expected a mapping of fields, got a list"),
    ("missing groups", "m.yaml", _without("groups"), "m.yaml: groups: required field is missing"),
    ("no groups", "m.yaml", document(groups=[]), "m.yaml: groups: must list at least one item"),
    ("duplicate range ref", "m.yaml", _duplicate_range_ref(), 'm.yaml: groups[0].criteria[0].range[1].ref: duplicate "a" in 1.1'),
    ("duplicate group number", "m.yaml", _duplicate_group_number(), 'm.yaml: groups[1].number: duplicate "1" (first at groups[0].number)'),
    ("unit outcome without number", "m.yaml", _unit_group_without_number(), "m.yaml: groups[1].number: required for a unit's learning outcome"),
    ("unit without level", "m.yaml", _without("level"), "m.yaml: level: required for a unit"),
    ("misspelt field", "m.yaml", _misspelt_field(), 'm.yaml: groups[0].titel: unknown field (did you mean "title"?)'),
    ("wrong format", "m.yaml", document(format="portfolio-spec/2"), 'm.yaml: format: must be "portfolio-spec/1", not "portfolio-spec/2"'),
    ("guidance for a missing group", "m.yaml", _guidance_for_a_missing_group(), 'm.yaml: guidance[0].applies_to[0]: no group numbered "9" (groups: "1", "2")'),
    ("duplicate YAML key", "m.yaml", b"format: portfolio-spec/1\nkind: unit\nkind: standard\n", 'm.yaml: invalid YAML at line 3, column 1: duplicate key "kind"'),
    ("bad JSON", "m.json", b'{\n  "format": portfolio-spec/1\n}', "m.json: invalid JSON at line 2, column 13: Expecting value"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_malformed_file_is_refused_with_a_located_error_and_nothing_changes(
    seed_specifications, tmp_path, monkeypatch, name, content, expected
):
    monkeypatch.chdir(tmp_path)
    Path(name).write_bytes(content if isinstance(content, bytes) else yaml_bytes(content))
    before = catalogue_snapshot()
    stderr = StringIO()

    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_spec", name, stderr=stderr)

    assert expected in stderr.getvalue()
    assert catalogue_snapshot() == before


def test_changed_content_for_an_imported_version_is_refused(seed_specifications, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (Path(__file__).parents[2] / "fixtures/specs/SCDLMCB2.yaml").read_text(encoding="utf-8")
    Path("SCDLMCB2.yaml").write_text(text.replace("soci-economic", "socio-economic"), encoding="utf-8")
    before = catalogue_snapshot()
    stderr = StringIO()

    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_spec", "SCDLMCB2.yaml", stderr=stderr)

    assert (
        'SCDLMCB2.yaml: version: SCDLMCB2 version "1" is already in the catalogue with different content, and an '
        "imported version never changes: give the revised document a new version and import it again"
    ) in stderr.getvalue()
    assert catalogue_snapshot() == before


def test_every_problem_in_a_file_is_reported_at_once(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("m.yaml").write_bytes(yaml_bytes(document(kind="module", version=2)))
    stderr = StringIO()
    with pytest.raises(CommandError, match="nothing imported: 2 problem"):
        call_command("import_spec", "m.yaml", stderr=stderr)
    assert stderr.getvalue().splitlines() == [
        'm.yaml: kind: must be one of unit, standard, not "module"',
        'm.yaml: version: expected text, got a number (2); put it in quotes: "2"',
    ]
