"""The open specification file format `portfolio-spec/1` (docs/spec-format.md): parse, validate, normalise, write.

Parsing returns a *normalised document*: plain dicts and lists in the format's key order, strings trimmed,
empty optional fields left out. The same form is written back by export and hashed for the content digest, so
import → export → import is exact and a re-import of unchanged content is recognised.
"""

import difflib
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from units import assessment_rules
from units.spec_schema import SCHEMA

# Key order of the normalised document, and so of exported files.
_KEYS: dict[str, tuple[str, ...]] = {
    "specification": tuple(SCHEMA["properties"]),
    "definition": ("term", "text", "heading"),
    "group": ("number", "title", "kind", "criteria"),
    "criterion": ("ref", "text", "range", "indicative_content"),
    "range": ("ref", "text"),
    "indicative_content": ("term", "text"),
    "guidance": (
        "title",
        "applies_to",
        "synopsis",
        "key_concepts",
        "tips",
        "mistakes",
        "marking_points",
        "notes",
    ),
}
_UNIT_REQUIRED = ("level", "credits", "guided_learning_hours")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str


class SpecFormatError(Exception):
    """A file that is not a valid specification; each problem names its place in the document."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [
            f"{self.source}: {problem.path}: {problem.message}"
            if problem.path
            else f"{self.source}: {problem.message}"
            for problem in self.problems
        ]


def parse(data: bytes, *, source: str) -> dict[str, Any]:
    """Read a specification file's bytes into a validated, normalised document."""
    raw = _load(data, source=source)
    problems = [_describe(error) for error in _sorted(Draft202012Validator(SCHEMA).iter_errors(raw))]
    if problems:
        raise SpecFormatError(source, problems)
    document = normalise(raw)
    problems = _check_rules(document)
    if problems:
        raise SpecFormatError(source, problems)
    return document


def normalise(raw: dict[str, Any]) -> dict[str, Any]:
    """Trim every text and put keys in the format's order, leaving out empty optional fields."""
    document = _tidy(raw, "specification")
    document["groups"] = [
        {
            **_tidy(group, "group"),
            "criteria": [
                _tidy(criterion, "criterion", range="range", indicative_content="indicative_content")
                for criterion in group["criteria"]
            ],
        }
        for group in document["groups"]
    ]
    for key, kind in (("definitions", "definition"), ("guidance", "guidance")):
        if key in document:
            document[key] = [_tidy(item, kind) for item in document[key]]
    rules = assessment_rules.tidy(raw.get("assessment_rules") or {})
    document.pop("assessment_rules", None)
    if rules:
        document["assessment_rules"] = rules
    return _ordered(document, "specification")


def digest(document: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON form of a normalised document."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def dump(document: dict[str, Any], *, fmt: str = "yaml") -> str:
    """Write a normalised document as YAML or JSON text."""
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if fmt != "yaml":
        raise ValueError(f"unknown format {fmt!r}: use yaml or json")
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=float("inf"),
        default_flow_style=False,
    )


# Reading


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML that refuses a mapping with the same key twice (PyYAML silently keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f'duplicate key "{key}"', key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load(data: bytes, *, source: str) -> dict[str, Any]:
    """The file's mapping of fields (JSON by its suffix, otherwise YAML), or the reason it is not one."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SpecFormatError(
            source,
            [
                Problem(
                    "",
                    f"not UTF-8 text: byte 0x{data[error.start]:02x} at offset {error.start}; save it as UTF-8",
                )
            ],
        ) from None
    if not text.strip():
        raise SpecFormatError(source, [Problem("", "the file is empty")])
    try:
        if source.lower().endswith(".json"):
            raw = json.loads(text)
        else:
            raw = yaml.load(text, Loader=_UniqueKeyLoader)
    except json.JSONDecodeError as error:
        raise SpecFormatError(
            source, [Problem("", f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}")]
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecFormatError(source, [Problem("", f"invalid YAML{where}: {error.problem}")]) from None
    except yaml.YAMLError as error:
        raise SpecFormatError(source, [Problem("", f"invalid YAML: {error}")]) from None
    if not isinstance(raw, dict):
        raise SpecFormatError(source, [Problem("", f"expected a mapping of fields, got {_type_name(raw)}")])
    return raw


def _sorted(errors: Iterable[ValidationError]) -> list[ValidationError]:
    """By their place in the document, whatever order the validator found them in: a file always reads the same."""
    return sorted(errors, key=lambda error: [str(part) for part in error.absolute_path])


def _path(parts: Iterable[str | int]) -> str:
    """A place in the document as a person writes it: `groups[0].criteria[2].ref`."""
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _type_name(value: Any) -> str:
    """What a value is, in a person's words, with the value itself where it helps to find it."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f'text ("{value}")'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__} ({value})"


_EXPECTED = {
    "string": "text",
    "integer": "a whole number",
    "array": "a list",
    "object": "a mapping of fields",
}


def _describe(error: ValidationError) -> Problem:
    """A schema error as a person reads it: where, and what to change."""
    path = list(error.absolute_path)
    # An error from a validator run carries the value, the rule's argument and the schema (jsonschema types
    # them as possibly unset only for errors built by hand); the values are whatever JSON or YAML held.
    instance: Any = error.instance
    rule: Any = error.validator_value
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    match error.validator:
        case "required":
            missing = next(name for name in rule if name not in instance)
            return Problem(_path([*path, missing]), "required field is missing")
        case "additionalProperties":
            return _unknown_field(path, instance, list(schema.get("properties", {})))
        case "type":
            return Problem(_path(path), _wrong_type(instance, rule))
        case "enum":
            allowed = ", ".join(rule)
            return Problem(_path(path), f'must be one of {allowed}, not "{instance}"')
        case "const":
            return Problem(_path(path), f'must be "{rule}", not "{instance}"')
        case "pattern" | "minLength":
            return Problem(_path(path), "must not be empty")
        case "minItems":
            return Problem(_path(path), "must list at least one item")
        case "minimum" | "maximum":
            low, high = schema.get("minimum"), schema.get("maximum")
            return Problem(_path(path), f"must be from {low} to {high}, not {instance}")
    return Problem(_path(path), error.message)


def _unknown_field(path: list[str | int], instance: dict[str, Any], known: list[str]) -> Problem:
    """The first field the schema does not know, with the closest known name (a typo) or the list of them."""
    unknown = next(name for name in instance if name not in known)
    close = difflib.get_close_matches(str(unknown), known, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else f" (allowed: {', '.join(known)})"
    return Problem(_path([*path, unknown]), f"unknown field{hint}")


def _wrong_type(instance: Any, expected_type: str) -> str:
    """What was expected and what was found; a number where text belongs (a ref such as 1.1) is to be quoted."""
    expected = _EXPECTED.get(expected_type, expected_type)
    message = f"expected {expected}, got {_type_name(instance)}"
    if expected_type == "string" and isinstance(instance, int | float) and not isinstance(instance, bool):
        message += f'; put it in quotes: "{instance}"'
    return message


def _tidy(item: dict[str, Any], kind: str, **lists: str) -> dict[str, Any]:
    """Trim texts (and lists of texts), drop empty optional values, order keys."""
    tidied: dict[str, Any] = {}
    for key, value in item.items():
        if key in lists:
            value = [_tidy(entry, lists[key]) for entry in value]
        elif isinstance(value, str):
            value = value.strip()
        elif isinstance(value, list) and all(isinstance(entry, str) for entry in value):
            value = [entry.strip() for entry in value]
        if value not in ("", [], None):
            tidied[key] = value
    return _ordered(tidied, kind)


def _ordered(item: dict[str, Any], kind: str) -> dict[str, Any]:
    """The keys in the format's order (`_KEYS`), so an exported file reads like the format's description."""
    return {key: item[key] for key in _KEYS[kind] if key in item}


def _check_rules(document: dict[str, Any]) -> list[Problem]:
    """Rules a schema cannot say: unique refs and numbers, cross-references, unit-only requirements."""
    is_unit = document["kind"] == "unit"
    problems = [
        Problem(key, "required for a unit") for key in _UNIT_REQUIRED if is_unit and key not in document
    ]
    group_numbers: dict[str, str] = {}
    criterion_refs: dict[str, str] = {}
    for g, group in enumerate(document["groups"]):
        where = f"groups[{g}]"
        problems += _check_group_number(group.get("number"), where, group_numbers, is_unit=is_unit)
        for c, criterion in enumerate(group["criteria"]):
            problems += _check_criterion(criterion, f"{where}.criteria[{c}]", criterion_refs)
    problems += _check_applies_to(document.get("guidance", []), group_numbers)
    problems += [
        Problem(path, message)
        for path, message in assessment_rules.check(document, set(group_numbers), set(criterion_refs))
    ]
    return problems


def _check_group_number(
    number: str | None, where: str, seen: dict[str, str], *, is_unit: bool
) -> list[Problem]:
    """A unit's learning outcomes are numbered, and no two groups share a number; `seen` gathers the numbers."""
    if number is None:
        return [Problem(f"{where}.number", "required for a unit's learning outcome")] if is_unit else []
    if number in seen:
        return [Problem(f"{where}.number", f'duplicate "{number}" (first at {seen[number]}.number)')]
    seen[number] = where
    return []


def _check_criterion(criterion: dict[str, Any], at: str, seen: dict[str, str]) -> list[Problem]:
    """A criterion's ref is unique in the document (`seen` gathers them), its range items' refs within it."""
    problems: list[Problem] = []
    ref = criterion["ref"]
    if ref in seen:
        problems.append(Problem(f"{at}.ref", f'duplicate "{ref}" (first at {seen[ref]}.ref)'))
    else:
        seen[ref] = at
    range_refs: set[str] = set()
    for r, item in enumerate(criterion.get("range", [])):
        if item["ref"] in range_refs:
            problems.append(Problem(f"{at}.range[{r}].ref", f'duplicate "{item["ref"]}" in {ref}'))
        range_refs.add(item["ref"])
    return problems


def _check_applies_to(guidance: list[dict[str, Any]], group_numbers: dict[str, str]) -> list[Problem]:
    """Guidance applies to groups by number: each number must be a group's."""
    known = ", ".join(f'"{n}"' for n in group_numbers) or "none"
    return [
        Problem(f"guidance[{i}].applies_to[{j}]", f'no group numbered "{number}" (groups: {known})')
        for i, item in enumerate(guidance)
        for j, number in enumerate(item.get("applies_to", []))
        if number not in group_numbers
    ]


# Writing


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks so exported files read like the source."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
