"""The completion record PDF: what an awarding body reads, checked through the PDF's own text."""

import datetime
import hashlib
import io
import re
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from pypdf import PdfReader

from assessments.models import SignOff
from assessments.services.signatures import reopen
from centres.models import Enrolment
from portfolio.models import Evidence, EvidenceFile, EvidenceMapping
from portfolio.services import files
from portfolio.services.mappings import add_mapping
from portfolio.uploads import check_file
from records.pdf import completion_record_filename, completion_record_pdf
from records.selectors import completion_record
from tests.factories import bulk_portfolio, create_evidence_for, judged_met, lines_of
from tests.records.conftest import named_enrolment
from tests.samples import OTHER_PDF, PDF
from units.models import Criterion, RangeItem, Specification

# The record is read in this many queries, however large the portfolio: see `completion_record`.
RECORD_QUERIES = 10


def squashed(text: str) -> str:
    """Text without white space: a line of the record may wrap anywhere, so compare what is printed, not where."""
    return re.sub(r"\s+", "", text)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def record_text(enrolment: Enrolment, specification: Specification) -> str:
    return "\n".join(page_texts(completion_record_pdf(enrolment=enrolment, specification=specification)))


def uk_date(moment: datetime.datetime | datetime.date) -> str:
    """A date as the record prints it, e.g. "24 November 2026", in the centre's time zone."""
    day = timezone.localtime(moment).date() if isinstance(moment, datetime.datetime) else moment
    return f"{day.day} {day:%B %Y}"


def met_by(enrolment: Enrolment, criterion: Criterion, range_item: RangeItem | None = None) -> str:
    """The evidence numbers of a completed portfolio's line, as its box shows them (every mapping there is met)."""
    numbers = EvidenceMapping.objects.filter(
        evidence__enrolment=enrolment, criterion=criterion, range_item=range_item
    ).values_list("evidence__number", flat=True)
    return ", ".join(f"E{number}" for number in sorted(numbers))


def large_portfolio(enrolment: Enrolment, *, pieces: int, title: str = "", file_name: str = "") -> None:
    """`pieces` accepted pieces of evidence, each with one file and mapped to two lines judged met, spread so
    that every line of the specification is met."""
    evidence = bulk_portfolio(enrolment, pieces=pieces, mappings=2 * pieces)
    Evidence.objects.filter(enrolment=enrolment).update(
        status=Evidence.Status.ACCEPTED, **({"title": title} if title else {})
    )
    EvidenceFile.objects.bulk_create(
        EvidenceFile(
            evidence=item,
            file=f"evidence/{item.centre_id}/{item.number}.pdf",
            original_name=file_name or f"account-{item.number}.pdf",
            size=1000,
            content_type="application/pdf",
            sha256=hashlib.sha256(str(item.number).encode()).hexdigest(),
            uploaded_by=enrolment.learner,
        )
        for item in evidence
    )
    judged_met(enrolment)


def test_the_record_quotes_every_line_of_the_standard_with_its_ref(completed_standard, standard):
    text = squashed(record_text(completed_standard, standard))
    for criterion, item in lines_of(standard):
        line = f"{criterion.ref} {item.ref}) {item.text}" if item else f"{criterion.ref} {criterion.text}"
        assert squashed(line) in text, line


def test_the_record_quotes_p1_and_k100_verbatim_with_the_evidence_that_met_them(completed_standard, standard):
    text = squashed(record_text(completed_standard, standard))
    p1 = standard.criteria.get(ref="P1")
    k100 = standard.criteria.get(ref="K100")
    assert "soci-economic" in k100.text
    assert met_by(completed_standard, p1) == "E1, E2"
    assert squashed(f"P1 {p1.text} {met_by(completed_standard, p1)}") in text
    assert squashed(f"K100 {k100.text} {met_by(completed_standard, k100)}") in text


def test_the_record_quotes_range_item_3_6_b_under_its_criterion_with_the_evidence_that_met_it(
    completed_unit, unit
):
    text = squashed(record_text(completed_unit, unit))
    criterion = unit.criteria.get(ref="3.6")
    item = criterion.range_items.get(ref="b")
    assert squashed(f"3.6 {criterion.text}") in text
    assert squashed(f"3.6 b) {item.text} {met_by(completed_unit, criterion, item)}") in text


def test_a_completed_record_names_the_candidate_and_assessor_with_the_dates_they_signed(completed_unit, unit):
    text = squashed(record_text(completed_unit, unit))
    learner = SignOff.objects.get(enrolment=completed_unit, role=SignOff.Role.LEARNER)
    assessor = SignOff.objects.get(enrolment=completed_unit, role=SignOff.Role.ASSESSOR)
    assert (
        squashed(
            f"Candidate's name Amara Okafor Candidate's signature Signed electronically by Amara Okafor on {uk_date(learner.signed_at)}"
        )
        in text
    )
    assert squashed(f"Date submitted to assessor as complete {uk_date(learner.signed_at)}") in text
    assert (
        squashed(
            f"Assessor's name Brendan Walsh Assessor's signature Signed electronically by Brendan Walsh on {uk_date(assessor.signed_at)}"
        )
        in text
    )
    assert squashed(f"Date assessed complete {uk_date(assessor.signed_at)}") in text


def test_a_completed_record_shows_the_sample_the_admin_check_and_completion_with_the_ivs_name_and_dates(
    completed_unit, unit
):
    text = squashed(record_text(completed_unit, unit))
    check = SignOff.objects.get(enrolment=completed_unit, role=SignOff.Role.ADMIN_CHECK)
    completion = SignOff.objects.get(enrolment=completed_unit, role=SignOff.Role.COMPLETION)
    sample = completed_unit.samples.get().decision
    assert (
        squashed(
            f"{uk_date(sample.decided_at)} Summative sample of the whole unit: agreed with the assessor's decisions."
        )
        in text
    )
    assert squashed(f"Internal verifier's name: {sample.internal_verifier.full_name}") in text
    assert (
        squashed(f"Date of admin check {uk_date(datetime.date.fromisoformat(check.covered['checked_on']))}")
        in text
    )
    assert (
        squashed(
            f"Internal verifier's signature Signed electronically by Catherine Lloyd on {uk_date(check.signed_at)}"
        )
        in text
    )
    assert squashed("Unit completion confirmed Internal verifier's name Catherine Lloyd") in text
    assert squashed(f"Date completed {uk_date(completion.signed_at)}") in text


def test_a_completed_record_prints_the_sha256_digest_of_every_signature_in_force(
    completed_standard, standard
):
    text = squashed(record_text(completed_standard, standard))
    signatures = SignOff.objects.in_force().filter(enrolment=completed_standard)
    assert signatures.count() == 4
    for signature in signatures:
        assert f"SHA-256digestofwhatwassigned:{signature.digest}" in text, signature.role


def test_a_completed_record_has_no_draft_mark_and_nothing_not_yet_met(completed_standard, standard):
    text = record_text(completed_standard, standard)
    assert "DRAFT" not in text
    assert "NOT YET MET" not in text
    assert "Not signed" not in text
    assert "Unit completion confirmed by Catherine Lloyd" in text


def test_an_in_progress_record_marks_each_unmet_line_not_yet_met_with_the_reason(unit_in_progress, unit):
    text = record_text(unit_in_progress, unit)
    lines = len(lines_of(unit))
    assert text.count("NOT YET MET") == lines - 3
    assert squashed(text).count(squashed("Evidence submitted: awaiting the assessor. Mapped: E2.")) == 2
    assert squashed(text).count(squashed("Not yet evidenced.")) == lines - 5


def test_an_in_progress_record_says_plainly_what_is_not_signed_sampled_or_confirmed(unit_in_progress, unit):
    text = squashed(record_text(unit_in_progress, unit))
    for label in (
        "Candidate's signature",
        "Date submitted to assessor as complete",
        "Assessor's signature",
        "Date assessed complete",
        "Date of admin check",
        "Internal verifier's signature",
        "Date completed",
    ):
        assert squashed(f"{label} Not signed") in text, label
    assert "Nosamplerecordedyet" in text
    assert "Adminchecknotrecorded" in text
    assert "Unitcompletionnotconfirmed" in text


def test_an_in_progress_record_is_marked_draft_on_every_page_and_in_its_header(unit_in_progress, unit):
    pages = page_texts(completion_record_pdf(enrolment=unit_in_progress, specification=unit))
    assert len(pages) > 1
    assert all("DRAFT" in page for page in pages)
    assert "DRAFT: unit completion has not been confirmed by the internal verifier." in pages[0]


def test_a_reopened_unit_prints_as_a_draft_again_without_the_voided_signatures(completed_unit, unit):
    reopen(
        user=completed_unit.assessor,
        enrolment=completed_unit,
        specification=unit,
        reason="Wrong unit version",
    )
    text = record_text(completed_unit, unit)
    assert "DRAFT" in text
    assert "Signed electronically" not in text
    assert "Unit completion not confirmed" in text


def test_the_evidence_index_lists_each_file_name_with_its_sha256(unit_in_progress, unit):
    text = squashed(record_text(unit_in_progress, unit))
    for evidence_file in EvidenceFile.objects.filter(evidence__enrolment=unit_in_progress):
        assert squashed(f"{evidence_file.original_name} SHA-256 {evidence_file.sha256}") in text


def test_the_evidence_index_gives_each_piece_its_number_title_method_date_and_status(unit_in_progress, unit):
    text = squashed(record_text(unit_in_progress, unit))
    assert (
        squashed("E1 Reflective account of a review · RA: Reflective account · 1 October 2026 · Accepted")
        in text
    )
    assert squashed("E2 Anonymised care plan · RA: Reflective account · 1 October 2026 · Submitted") in text


def test_the_evidence_index_flags_an_earlier_version_of_a_replaced_file(unit_in_progress, unit):
    evidence = create_evidence_for(unit_in_progress, title="Supervision notes")
    (first,) = files.add_files(
        user=unit_in_progress.learner,
        evidence=evidence,
        uploads=[check_file(io.BytesIO(PDF), name="notes.pdf")],
    )
    files.replace_file(
        user=unit_in_progress.learner,
        evidence_file=first.evidence_file,
        upload=check_file(io.BytesIO(OTHER_PDF), name="notes-corrected.pdf"),
    )
    criterion, item = lines_of(unit)[-1]
    add_mapping(user=unit_in_progress.learner, evidence=evidence, criterion=criterion, range_item=item)
    text = squashed(record_text(unit_in_progress, unit))
    assert squashed(f"notes-corrected.pdf SHA-256 {hashlib.sha256(OTHER_PDF).hexdigest()}") in text
    assert squashed(f"Earlier version, replaced: notes.pdf SHA-256 {hashlib.sha256(PDF).hexdigest()}") in text


def test_every_page_names_the_learner_and_the_specification_and_counts_page_n_of_m(
    standard_in_progress, standard
):
    pages = page_texts(completion_record_pdf(enrolment=standard_in_progress, specification=standard))
    assert len(pages) > 3
    for number, page in enumerate(pages, start=1):
        assert f"Amara Okafor · SCDLMCB2 version 1: {standard.title}" in page.replace("\n", " ")
        assert f"Page {number} of {len(pages)}" in page


def font_descriptors(resources: Any) -> Iterator[tuple[str, Any]]:
    """Every font a page's resources use, its form XObjects' (the draft watermark's) included: (name, descriptor)."""
    resources = resources.get_object()
    for font in resources.get("/Font", {}).values():
        font = font.get_object()
        described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        yield str(font["/BaseFont"]).split("+")[-1], described["/FontDescriptor"].get_object()
    for xobject in resources.get("/XObject", {}).values():
        xobject = xobject.get_object()
        if "/Resources" in xobject:
            yield from font_descriptors(xobject["/Resources"])


def test_every_font_in_the_pdf_is_embedded(standard_in_progress, standard):
    reader = PdfReader(
        io.BytesIO(completion_record_pdf(enrolment=standard_in_progress, specification=standard))
    )
    fonts = [font for page in reader.pages for font in font_descriptors(page["/Resources"])]
    assert {name for name, _ in fonts} == {
        "DejaVu-Sans",
        "DejaVu-Sans-Bold",
        "DejaVu-Serif-Bold",
        "DejaVu-Sans-Mono",
    }
    assert all({"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor) for _, descriptor in fonts)


def test_the_pdf_is_titled_with_the_learner_and_the_specification(completed_unit, unit):
    reader = PdfReader(io.BytesIO(completion_record_pdf(enrolment=completed_unit, specification=unit)))
    assert reader.metadata.title == (
        "Completion record: Amara Okafor, L/652/0848 Leading Person-centred Practice in Adult Care (version 2)"
    )
    assert reader.metadata.author == "Riverside Care Academy"


def test_a_draft_pdf_says_draft_in_its_title(unit_in_progress, unit):
    reader = PdfReader(io.BytesIO(completion_record_pdf(enrolment=unit_in_progress, specification=unit)))
    assert reader.metadata.title.startswith("Completion record (DRAFT): Amara Okafor, L/652/0848")


def test_the_file_name_is_ascii_with_the_code_version_and_learner(unit_in_progress, unit, standard):
    assert (
        completion_record_filename(enrolment=unit_in_progress, specification=unit)
        == "completion-record-L-652-0848-v2-amara-okafor.pdf"
    )
    assert (
        completion_record_filename(enrolment=unit_in_progress, specification=standard)
        == "completion-record-SCDLMCB2-v1-amara-okafor.pdf"
    )


def test_reading_the_record_takes_as_many_queries_for_300_pieces_as_for_two(
    unit_in_progress, unit, standard, media, django_assert_num_queries, django_assert_max_num_queries
):
    large = named_enrolment(standard)
    large_portfolio(large, pieces=300)
    # enrolment with centre and people, groups, criteria, range items, met states (latest judgements, mappings),
    # signatures in force, decided samples, evidence, their files
    with django_assert_num_queries(RECORD_QUERIES):
        small_record = completion_record(enrolment=unit_in_progress, specification=unit)
    with django_assert_max_num_queries(RECORD_QUERIES):
        large_record = completion_record(enrolment=large, specification=standard)
    assert (len(small_record.evidence), len(large_record.evidence)) == (2, 300)
    assert large_record.met_count == large_record.line_count == len(lines_of(standard))
