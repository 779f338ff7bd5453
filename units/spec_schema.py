"""The JSON Schema of the open `portfolio-spec/1` format, as the importer enforces it; `docs/portfolio-spec-1.schema.json`
publishes the same schema (a test keeps the two equal)."""

from typing import Any

FORMAT = "portfolio-spec/1"

_TEXT = {"type": "string", "pattern": r"\S"}
_OPTIONAL_TEXT = {"type": "string"}
_TEXT_LIST = {"type": "array", "items": _TEXT}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Specification (portfolio-spec/1)",
    "type": "object",
    "required": ["format", "kind", "code", "title", "version", "groups"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT},
        "kind": {"enum": ["unit", "standard"]},
        "code": _TEXT,
        "aliases": _TEXT_LIST,
        "title": _TEXT,
        "version": _TEXT,
        "level": {"type": "integer", "minimum": 1, "maximum": 8},
        "credits": {"type": "integer", "minimum": 1, "maximum": 999},
        "guided_learning_hours": {"type": "integer", "minimum": 0, "maximum": 99999},
        "owner": _OPTIONAL_TEXT,
        "overview": _OPTIONAL_TEXT,
        "assessment_requirements": _OPTIONAL_TEXT,
        "assessment_rules": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "direct_observation": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "groups": _TEXT_LIST,
                        "criteria": _TEXT_LIST,
                        "remote": {"enum": ["supplement", "counts"]},
                    },
                },
            },
        },
        "definitions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["term", "text"],
                "additionalProperties": False,
                "properties": {"term": _TEXT, "text": _TEXT, "heading": _OPTIONAL_TEXT},
            },
        },
        "values": _OPTIONAL_TEXT,
        "groups": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["title", "kind", "criteria"],
                "additionalProperties": False,
                "properties": {
                    "number": _TEXT,
                    "title": _TEXT,
                    "kind": {"enum": ["knowledge", "skill", "performance"]},
                    "criteria": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["ref", "text"],
                            "additionalProperties": False,
                            "properties": {
                                "ref": _TEXT,
                                "text": _TEXT,
                                "range": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["ref", "text"],
                                        "additionalProperties": False,
                                        "properties": {"ref": _TEXT, "text": _TEXT},
                                    },
                                },
                                "indicative_content": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["term", "text"],
                                        "additionalProperties": False,
                                        "properties": {"term": _TEXT, "text": _TEXT},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "guidance": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["title"],
                "additionalProperties": False,
                "properties": {
                    "title": _TEXT,
                    "applies_to": _TEXT_LIST,
                    "synopsis": _OPTIONAL_TEXT,
                    "key_concepts": _TEXT_LIST,
                    "tips": _TEXT_LIST,
                    "mistakes": _TEXT_LIST,
                    "marking_points": _TEXT_LIST,
                    "notes": _OPTIONAL_TEXT,
                },
            },
        },
    },
}
