"""What the checks of an export rely on in its manifests, as JSON Schema: a manifest lacking a field, or holding one
of the wrong type, is reported field by field instead of breaking the check. Every field is described in
docs/export-format.md."""

from typing import Any

_SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_PATH = {"type": "string", "minLength": 1}
_FILE = {
    "type": "object",
    "required": ["path", "size", "sha256"],
    "properties": {"path": _PATH, "size": {"type": "integer", "minimum": 0}, "sha256": _SHA256},
}
_CODE: dict[str, Any] = {"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}}
# When it was written: the key that signed the manifest must have been in force then.
_TIME = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"}
# Whose key must have signed the manifest.
_CENTRE = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}
LEARNER_SCHEMA = {
    "type": "object",
    "required": ["format", "generated_at", "centre", "files", "specifications", "evidence", "signatures"],
    "properties": {
        "generated_at": _TIME,
        "centre": _CENTRE,
        "files": {"type": "array", "items": _FILE},
        "specifications": {
            "type": "array",
            "items": {
                **_CODE,
                "required": ["code", "record"],
                "properties": {
                    **_CODE["properties"],
                    "record": {
                        "type": "object",
                        "required": ["path", "sha256"],
                        "properties": {"path": _PATH, "sha256": _SHA256},
                    },
                },
            },
        },
        "evidence": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["reference", "files"],
                "properties": {
                    "reference": {"type": "string"},
                    "files": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["path", "original_name", "sha256", "sha256_at_upload", "current"],
                            "properties": {
                                "path": _PATH,
                                "original_name": {"type": "string"},
                                "sha256": _SHA256,
                                "sha256_at_upload": _SHA256,
                                "current": {"type": "boolean"},
                            },
                        },
                    },
                },
            },
        },
        "signatures": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["specification", "role", "name_printed", "digest", "covered", "voided_at"],
                "properties": {
                    "specification": _CODE,
                    "role": {"type": "string"},
                    "name_printed": {"type": "string"},
                    "digest": {"type": "string"},
                    "covered": {"type": "object"},
                    "voided_at": {"type": ["string", "null"]},
                },
            },
        },
    },
}
COHORT_SCHEMA = {
    "type": "object",
    "required": ["format", "generated_at", "centres", "learners"],
    "properties": {
        "generated_at": _TIME,
        "centres": {"type": "array", "items": _CENTRE},
        "learners": {"type": "array", "items": _FILE},
    },
}
