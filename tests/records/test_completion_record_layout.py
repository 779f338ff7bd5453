"""The completion record on paper: nothing runs off the page, however long the names, and every page prints."""

import io
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from django.db import transaction
from PIL import Image

from records.pdf import completion_record_pdf
from tests.conftest import STANDARD_FIXTURE
from tests.records.conftest import named_enrolment
from tests.records.test_completion_record import large_portfolio, squashed
from units.services import import_specification_files

POINTS_PER_MM = 72 / 25.4
SIDE_MARGIN = 16 * POINTS_PER_MM  # the record's @page margin, left and right
TOLERANCE = 0.5  # points: a glyph's side bearing may sit a hair outside its box
# One unbroken word of 60 letters in a title of 200 characters (the most a title holds), and a file name of 255
# characters (the most a name holds) with no space or hyphen to break at.
LONG_TITLE = (
    "Reflective account of a review with "
    + "Pneumonoultramicroscopicsilicovolcanoconiosisunderstanding" * 2
    + " and the family"
)[:200]
LONG_NAME = ("care_plan_review_with_the_individual_and_their_family_" * 5)[:251] + ".pdf"


def chars_outside_the_margins(pdf: bytes) -> list[str]:
    """Every character lying beyond the page or in the side margins, as "page N: 'c' at x0..x1"."""
    outside = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            left, right = SIDE_MARGIN - TOLERANCE, page.width - SIDE_MARGIN + TOLERANCE
            for char in page.chars:
                inside_page = char["top"] >= 0 and char["bottom"] <= page.height
                if not (inside_page and left <= char["x0"] and char["x1"] <= right):
                    outside.append(f"page {number}: {char['text']!r} at {char['x0']:.1f}..{char['x1']:.1f}")
    return outside


@pytest.fixture(scope="module")
def large_record(django_db_setup, django_db_blocker) -> bytes:
    """A draft record of 200 pieces of evidence, each with the longest title and file name there can be.

    Built once for the module (it takes seconds) inside a transaction that is rolled back, so no test sees it."""
    with django_db_blocker.unblock(), transaction.atomic():
        (outcome,) = import_specification_files(paths=[STANDARD_FIXTURE])
        enrolment = named_enrolment(outcome.specification)
        large_portfolio(enrolment, pieces=200, title=LONG_TITLE, file_name=LONG_NAME)
        pdf = completion_record_pdf(enrolment=enrolment, specification=outcome.specification)
        transaction.set_rollback(True)
    return pdf


def test_no_text_of_a_large_record_with_long_titles_and_file_names_runs_into_the_margins(large_record):
    assert chars_outside_the_margins(large_record) == []


def test_a_long_file_name_wraps_and_is_printed_whole(large_record):
    with pdfplumber.open(io.BytesIO(large_record)) as document:
        index = squashed("".join(page.extract_text() for page in document.pages[-3:]))
    assert squashed(LONG_NAME) in index
    assert squashed(LONG_TITLE) in index


def test_no_signature_digest_or_name_of_a_completed_record_runs_into_the_margins(
    completed_standard, standard
):
    pdf = completion_record_pdf(enrolment=completed_standard, specification=standard)
    assert chars_outside_the_margins(pdf) == []


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils' pdftoppm")
def test_every_page_of_a_large_record_prints_as_a_non_blank_image(large_record, tmp_path: Path):
    (tmp_path / "record.pdf").write_bytes(large_record)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(tmp_path / "record.pdf"), str(tmp_path / "page")], check=True
    )
    with pdfplumber.open(io.BytesIO(large_record)) as document:
        pages = len(document.pages)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages > 10
    for image in images:
        with Image.open(image) as png:
            grey = png.convert("L")
            assert grey.size == (497, 702)  # A4 at 60 dpi, rounded up
            dark = sum(grey.histogram()[:128])
            assert dark > 500, f"{image.name} is (nearly) blank"
