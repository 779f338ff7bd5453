"""The open specification file format `portfolio-spec/1` (docs/spec-format.md): parse, validate, normalise, write.

Parsing returns a *normalised document*: plain dicts and lists in the format's key order, strings trimmed,
empty optional fields left out. The same form is written back by export and hashed for the content digest, so
import → export → import is exact and a re-import of unchanged content is recognised.
"""

import difflib
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

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


def _load(data: bytes, *, source: str) -> Any:
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


def _sorted(errors: Any) -> list[ValidationError]:
    return sorted(errors, key=lambda error: [str(part) for part in error.absolute_path])


def _path(parts: Any) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _type_name(value: Any) -> str:
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
    path = list(error.absolute_path)
    instance = error.instance
    match error.validator:
        case "required":
            missing = next(name for name in error.validator_value if name not in instance)
            return Problem(_path([*path, missing]), "required field is missing")
        case "additionalProperties":
            known = list(error.schema.get("properties", {}))
            unknown = next(name for name in instance if name not in known)
            close = difflib.get_close_matches(str(unknown), known, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else f" (allowed: {', '.join(known)})"
            return Problem(_path([*path, unknown]), f"unknown field{hint}")
        case "type":
            expected = _EXPECTED.get(error.validator_value, error.validator_value)
            message = f"expected {expected}, got {_type_name(instance)}"
            if (
                error.validator_value == "string"
                and isinstance(instance, int | float)
                and not isinstance(instance, bool)
            ):
                message += f'; put it in quotes: "{instance}"'
            return Problem(_path(path), message)
        case "enum":
            allowed = ", ".join(error.validator_value)
            return Problem(_path(path), f'must be one of {allowed}, not "{instance}"')
        case "const":
            return Problem(_path(path), f'must be "{error.validator_value}", not "{instance}"')
        case "pattern" | "minLength":
            return Problem(_path(path), "must not be empty")
        case "minItems":
            return Problem(_path(path), "must list at least one item")
        case "minimum" | "maximum":
            low, high = error.schema.get("minimum"), error.schema.get("maximum")
            return Problem(_path(path), f"must be from {low} to {high}, not {instance}")
    return Problem(_path(path), error.message)


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
    return {key: item[key] for key in _KEYS[kind] if key in item}


def _check_rules(document: dict[str, Any]) -> list[Problem]:
    """Rules a schema cannot say: unique refs and numbers, cross-references, unit-only requirements."""
    problems: list[Problem] = []
    is_unit = document["kind"] == "unit"
    if is_unit:
        problems += [Problem(key, "required for a unit") for key in _UNIT_REQUIRED if key not in document]
    group_numbers: dict[str, str] = {}
    criterion_refs: dict[str, str] = {}
    for g, group in enumerate(document["groups"]):
        where = f"groups[{g}]"
        number = group.get("number")
        if number is None:
            if is_unit:
                problems.append(Problem(f"{where}.number", "required for a unit's learning outcome"))
        elif number in group_numbers:
            problems.append(
                Problem(f"{where}.number", f'duplicate "{number}" (first at {group_numbers[number]}.number)')
            )
        else:
            group_numbers[number] = where
        for c, criterion in enumerate(group["criteria"]):
            at = f"{where}.criteria[{c}]"
            ref = criterion["ref"]
            if ref in criterion_refs:
                problems.append(
                    Problem(f"{at}.ref", f'duplicate "{ref}" (first at {criterion_refs[ref]}.ref)')
                )
            else:
                criterion_refs[ref] = at
            range_refs: set[str] = set()
            for r, item in enumerate(criterion.get("range", [])):
                if item["ref"] in range_refs:
                    problems.append(Problem(f"{at}.range[{r}].ref", f'duplicate "{item["ref"]}" in {ref}'))
                range_refs.add(item["ref"])
    for i, guidance in enumerate(document.get("guidance", [])):
        for j, number in enumerate(guidance.get("applies_to", [])):
            if number not in group_numbers:
                known = ", ".join(f'"{n}"' for n in group_numbers) or "none"
                problems.append(
                    Problem(
                        f"guidance[{i}].applies_to[{j}]", f'no group numbered "{number}" (groups: {known})'
                    )
                )
    return problems


# Writing


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks so exported files read like the source."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
