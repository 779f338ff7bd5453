"""The completion record as assistive technology and text extraction read it: the criteria are a table whose cells
name their headers, the DRAFT mark puts no letters among the lines, and a line says which rule it still misses."""

import io
import shutil
import subprocess
from collections import Counter
from typing import Any

from pypdf import PdfReader

from assessments.services.judging import Decision, decide, save_judgements
from records.pdf import completion_record_pdf
from tests.factories import EnrolmentFactory, submitted_evidence
from units.models import Criterion


def squashed(text: str) -> str:
    """Text without white space: a line wraps anywhere, so compare what is printed, not where."""
    return "".join(text.split())


def structure(pdf: bytes) -> tuple[Counter[str], list[Any]]:
    """The kinds of the tagged structure's elements, and the data cells (TD) themselves."""
    kinds: Counter[str] = Counter()
    cells: list[Any] = []
    pending = [PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"]]
    while pending:
        node = pending.pop().get_object()
        if not hasattr(node, "get"):
            continue
        kind = node.get("/S")
        kinds[str(kind)] += 1
        if kind == "/TD":
            cells.append(node)
        children = node.get("/K")
        if children is None or isinstance(children, int):
            continue
        pending.extend(child for child in (children if isinstance(children, list) else [children]))
    return kinds, cells


def extracted_pages(pdf: bytes) -> list[list[str]]:
    """The text as poppler's pdftotext reads it (what search and copy see): each page's lines."""
    assert shutil.which("pdftotext"), "poppler-utils is installed by bin/test"
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60)
    return [page.splitlines() for page in result.stdout.decode().split("\x0c") if page.strip()]


def test_the_criteria_are_a_tagged_table_whose_cells_name_their_header_cells(unit_in_progress, unit):
    kinds, cells = structure(completion_record_pdf(enrolment=unit_in_progress, specification=unit))
    assert kinds["/Table"] >= 7  # a table for each learning outcome (one more where a table runs over a page)
    assert kinds["/TH"] > 0
    assert len(cells) == 2 * 30 + 2 * 3  # two cells beside each line's ref and each range items' criterion
    # each names its row's header cell (the ref) and, on the page where its table's header row is, its column's
    assert Counter(len(cell["/A"]["/Headers"]) for cell in cells).keys() <= {1, 2}
    assert all(len(cell["/A"]["/Headers"]) >= 1 for cell in cells)


def test_the_draft_mark_puts_no_letters_among_the_lines_of_extracted_text(unit_in_progress, unit):
    pages = extracted_pages(completion_record_pdf(enrolment=unit_in_progress, specification=unit))
    lines = [line for page in pages for line in page]
    assert [line for line in lines if line.strip() in set("DRAFT")] == []
    # each page says DRAFT once, in its header; the first page also in its opening statement
    assert [sum(line.count("DRAFT") for line in page) for page in pages] == [2] + [1] * (len(pages) - 1)


def test_a_line_judged_met_without_an_observation_says_which_rule_it_misses(unit):
    enrolment = EnrolmentFactory(specifications=[unit])
    evidence = submitted_evidence(enrolment, [(Criterion.objects.get(specification=unit, ref="3.1"), None)])
    save_judgements(
        assessor=enrolment.assessor,
        evidence=evidence,
        version=evidence.version,
        decisions=[Decision(mapping_id=m.pk, met=True) for m in evidence.mappings.all()],
    )
    evidence.refresh_from_db()
    decide(assessor=enrolment.assessor, evidence=evidence, version=evidence.version, accept=True, feedback="")
    pages = extracted_pages(completion_record_pdf(enrolment=enrolment, specification=unit))
    text = squashed(" ".join(line for page in pages for line in page))
    assert (
        squashed(
            "Assessment rules of L/652/0848 v2: each line needs a direct observation of practice recorded by the "
            "assessor (a remote observation only adds to one made in person)."
        )
        in text
    )
    assert (
        squashed(
            "Judged met on E1, but the assessment rules of L/652/0848 v2 need a direct observation for LO3"
        )
        in text
    )
