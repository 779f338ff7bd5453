"""An independent reading of the two specification seeds in ``tests/data/seeds``.

Tests compare the fixtures in ``fixtures/specs`` (and whatever the app imports from them) against the source
documents themselves, so this module parses the seed text directly and never reads the YAML.

- ``002_49d6381e8fb9538e.txt``: the RQF unit L/652/0848; its outcomes table has one line per learning
  outcome, ``<p>N. title</p>``, a tab, then the criteria as HTML (``<p>N.M text</p>``, range items as
  ``<li>a) ...``).
- ``003_88b5daa4b8d0ef23.txt``: the NOS SCDLMCB2; headings are plain lines, criteria are ``N<TAB>text<TAB>``
  lines, and a heading repeated with `` (cont)`` continues the same heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent / "data" / "seeds"
UNIT_SEED = SEEDS_DIR / "002_49d6381e8fb9538e.txt"
STANDARD_SEED = SEEDS_DIR / "003_88b5daa4b8d0ef23.txt"

CONT_SUFFIX = " (cont)"


@dataclass(frozen=True)
class SeedCriterion:
    """One assessment criterion, performance criterion or knowledge point, with its range items."""

    ref: str
    text: str
    range: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SeedGroup:
    """A learning outcome (``number`` "1".."7") or a NOS heading (``number`` is empty)."""

    number: str
    title: str
    kind: str
    criteria: tuple[SeedCriterion, ...]


class _Blocks(HTMLParser):
    """Collect the text of each ``<p>`` and ``<li>`` element, with inline tags (``<b>``) stripped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._tag: str | None = None
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "li"):
            self._tag, self._parts = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._tag:
            self.blocks.append((tag, "".join(self._parts)))
            self._tag = None

    def handle_data(self, data: str) -> None:
        if self._tag is not None:
            self._parts.append(data)


def _html_blocks(fragment: str) -> list[tuple[str, str]]:
    parser = _Blocks()
    parser.feed(fragment)
    parser.close()
    return parser.blocks


def _read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def unit_outcomes() -> list[SeedGroup]:
    """The learning outcomes of unit L/652/0848, each with its assessment criteria and range items."""
    lines = _read(UNIT_SEED)
    start = next(i for i, line in enumerate(lines) if line.startswith("Learning Outcome (The Learner will):"))
    end = next(i for i, line in enumerate(lines) if line.startswith("## Assessment Requirements"))
    groups: list[SeedGroup] = []
    for line in lines[start + 1 : end]:
        if not line.strip():
            continue
        left, right = line.split("\t", 1)
        ((_, outcome),) = _html_blocks(left)
        match = re.fullmatch(r"\s*(\d+)\.\s+(.*?)\s*", outcome)
        if match is None:
            raise ValueError(f"unexpected learning outcome {outcome!r}")
        number, title = match.groups()
        criteria: list[tuple[str, str, list[tuple[str, str]]]] = []
        for tag, text in _html_blocks(right):
            if tag == "p":
                found = re.fullmatch(r"\s*(\d+\.\d+)\s+(.*?)\s*", text, flags=re.DOTALL)
                if found is None:
                    raise ValueError(f"unexpected assessment criterion {text!r}")
                criteria.append((found[1], found[2], []))
            else:
                found = re.fullmatch(r"\s*([a-z])\)\s+(.*?)\s*", text, flags=re.DOTALL)
                if found is None or not criteria:
                    raise ValueError(f"unexpected range item {text!r}")
                criteria[-1][2].append((found[1], found[2]))
        groups.append(
            SeedGroup(
                number=number,
                title=title,
                kind="skill" if title.startswith("Be able to") else "knowledge",
                criteria=tuple(SeedCriterion(ref, text, tuple(items)) for ref, text, items in criteria),
            )
        )
    return groups


def standard_headings() -> list[SeedGroup]:
    """The NOS SCDLMCB2 headings in order (``(cont)`` merged), with criteria P1..P45 and K1..K107."""
    lines = [line for line in _read(STANDARD_SEED) if line.strip()]

    def first(prefix: str) -> int:
        return next(i for i, line in enumerate(lines) if line.startswith(prefix))

    pc_start = first("Performance Criteria \u2014")
    ku_start = first("Knowledge and Understanding \u2014")
    end = first("The candidate and assessor must only sign")
    row = re.compile(r"(\d+)\t(.*)")
    order: list[str] = []
    kinds: dict[str, str] = {}
    criteria: dict[str, list[SeedCriterion]] = {}
    current: str | None = None
    for i in range(pc_start + 1, end):
        line = lines[i]
        if i == ku_start:
            current = None
            continue
        kind, prefix = ("performance", "P") if i < ku_start else ("knowledge", "K")
        found = row.fullmatch(line)
        if found is not None:
            if current is None:
                raise ValueError(f"criterion before any heading: {line!r}")
            criteria[current].append(SeedCriterion(f"{prefix}{found[1]}", found[2].strip()))
            continue
        if line.startswith("\t"):
            continue  # the table's column headings
        following = lines[i + 1] if i + 1 < end else ""
        if not (following.startswith("\t") or row.fullmatch(following)):
            continue  # an instruction paragraph, not a heading
        title = line.strip().removesuffix(CONT_SUFFIX)
        if title not in criteria:
            order.append(title)
            kinds[title] = kind
            criteria[title] = []
        elif title != current:
            raise ValueError(f"heading {title!r} continued out of order")
        current = title
    return [SeedGroup("", title, kinds[title], tuple(criteria[title])) for title in order]
