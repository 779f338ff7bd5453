"""The assessment rules a specification states in its `assessment_rules` block (docs/spec-format.md): which lines
are met only with a direct observation of practice, and whether a remote observation may stand for one.

Without the block a document keeps the rule it always had: every `skill` group needs a direct observation and
nothing else does (so a standard's performance criteria need none unless its file says so).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OBSERVATION_KEYS = ("groups", "criteria", "remote")
WHERE = "assessment_rules.direct_observation"


@dataclass(frozen=True)
class ObservationRule:
    """Which lines are met only with a direct observation recorded by the assessor."""

    groups: frozenset[str] | None  # group numbers; None: the default, every `skill` group
    criteria: frozenset[str]  # criterion refs, in addition to the groups'
    remote_counts: bool  # False: a remote observation only supplements one made in person

    def group_needs(self, group: Mapping[str, Any]) -> bool:
        if self.groups is None:
            return bool(group["kind"] == "skill")
        return group.get("number") in self.groups

    def criterion_needs(self, group: Mapping[str, Any], criterion: Mapping[str, Any]) -> bool:
        return self.group_needs(group) or criterion["ref"] in self.criteria


def observation_rule(document: Mapping[str, Any]) -> ObservationRule:
    """A normalised document's direct-observation rule: its block's, or the default without one."""
    observation = document.get("assessment_rules", {}).get("direct_observation", {})
    groups = observation.get("groups")
    return ObservationRule(
        groups=None if groups is None else frozenset(groups),
        criteria=frozenset(observation.get("criteria", [])),
        remote_counts=observation.get("remote") == "counts",
    )


def tidy(rules: Mapping[str, Any]) -> dict[str, Any]:
    """The block trimmed and in the format's key order; an empty block is left out.

    An empty `groups` list stays: it says that no group needs a direct observation, which is not the same as
    leaving `groups` out (the default: every `skill` group)."""
    observation = rules.get("direct_observation") or {}
    tidied: dict[str, Any] = {}
    if "groups" in observation:
        tidied["groups"] = [number.strip() for number in observation["groups"]]
    if observation.get("criteria"):
        tidied["criteria"] = [ref.strip() for ref in observation["criteria"]]
    if "remote" in observation:
        tidied["remote"] = observation["remote"]
    ordered = {key: tidied[key] for key in OBSERVATION_KEYS if key in tidied}
    return {"direct_observation": ordered} if ordered else {}


def check(
    document: Mapping[str, Any], group_numbers: set[str], criterion_refs: set[str]
) -> list[tuple[str, str]]:
    """The rule names groups by number and criteria by ref: each must exist, and be named once.

    Returns (place in the document, problem) pairs."""
    rule = document.get("assessment_rules", {}).get("direct_observation", {})
    problems = []
    for key, known, what in (
        ("groups", group_numbers, "group numbered"),
        ("criteria", criterion_refs, "criterion"),
    ):
        seen: set[str] = set()
        for i, name in enumerate(rule.get(key, [])):
            if name in seen:
                problems.append((f"{WHERE}.{key}[{i}]", f'"{name}" is listed twice'))
            elif name not in known:
                problems.append((f"{WHERE}.{key}[{i}]", f'no {what} "{name}" in this specification'))
            seen.add(name)
    return problems
