"""The centre's PAdES signature in a final completion record PDF, and `verify_record`: a final record is signed
and verifies against the published key set; a DRAFT is not signed; a changed byte, an appended revision or a
certificate the key set does not publish fails, each on one line."""

import datetime
import io
import json
import re

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command
from django.urls import reverse
from pyhanko.pdf_utils.generic import TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader
from weasyprint import HTML

from records.pdf import completion_record_pdf
from records.pdf_signature import sign_record_pdf
from records.verification.records import verify_record
from signing.keys import ECDSA_P256, KeySet, keyset
from tests.factories import CentreFactory

CHANGED = ["changed after it was signed: the signature no longer matches the file's bytes"]


def small_record() -> bytes:
    """A one-page PDF/A-3a from WeasyPrint, like the record but quick to make, for the attacks below."""
    html = '<html lang="en"><head><title>Completion record</title></head><body><p>1.1 a) met: E1</p></body></html>'
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant="pdf/a-3a")
    return pdf


@pytest.fixture
def centre(db):
    return CentreFactory(name="Riverside Care Academy")


@pytest.fixture
def signed(centre) -> bytes:
    return sign_record_pdf(small_record(), centre_id=centre.pk, centre_name=centre.name)


def pdf_key_id(centre_id: int) -> str:
    key = keyset().current(centre_id, ECDSA_P256)
    assert key is not None
    return key.key_id


def one_byte_changed(content: bytes, at: int) -> bytes:
    changed = bytearray(content)
    changed[at] ^= 0x01
    return bytes(changed)


def test_a_final_completion_record_is_signed_by_the_centres_pdf_key(completed_unit, unit):
    report = verify_record(completion_record_pdf(enrolment=completed_unit, specification=unit), keys=keyset())
    assert report.problems == []
    assert re.fullmatch(
        rf"signed by Organization: .+, Common Name: .+ \(key {pdf_key_id(completed_unit.centre_id)}\) at "
        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC",
        report.signed_by,
    )


def test_the_confirmed_record_a_person_downloads_is_signed_even_when_served_from_storage(
    client, completed_unit, unit
):
    """The page renders a confirmed record once and keeps it (records.record_pdfs): the kept file is the signed
    one, the same at every download."""
    client.force_login(completed_unit.learner)
    url = reverse("records:completion_record", args=[completed_unit.pk, unit.pk])
    first, second = (b"".join(client.get(url).streaming_content) for _ in range(2))
    assert first == second
    assert verify_record(first, keys=keyset()).problems == []


def test_a_draft_record_is_not_signed(unit_in_progress, unit):
    pdf = completion_record_pdf(enrolment=unit_in_progress, specification=unit)
    assert PdfFileReader(io.BytesIO(pdf)).embedded_signatures == []
    assert verify_record(pdf, keys=keyset()).problems == [
        "not signed: only a final record is signed (a DRAFT never is)"
    ]


def test_signing_leaves_the_pdf_a_3a_document_and_its_metadata_as_they_were(centre):
    """The signature is an incremental update: every byte WeasyPrint wrote comes first, unchanged, and the
    information dictionary and XMP packet (which PDF/A requires to agree) are the ones it wrote."""
    unsigned = small_record()
    signed = sign_record_pdf(unsigned, centre_id=centre.pk, centre_name=centre.name)
    before, after = PdfReader(io.BytesIO(unsigned)), PdfReader(io.BytesIO(signed))
    assert signed.startswith(unsigned)
    assert after.trailer["/Info"].get_object() == before.trailer["/Info"].get_object()
    metadata = after.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert metadata == before.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3" pdfaid:conformance="A"' in metadata


def test_the_signature_field_is_invisible_and_printable_as_pdf_a_requires(signed):
    (field,) = [annotation.get_object() for annotation in PdfReader(io.BytesIO(signed)).pages[0]["/Annots"]]
    # the print flag (4) set, hidden (2) and no-view (32) clear; a zero-size field needs no appearance stream
    assert (field["/FT"], field["/F"] & 4, field["/F"] & (2 | 32)) == ("/Sig", 4, 0)
    assert [float(n) for n in field["/Rect"]] == [0, 0, 0, 0]


def test_the_signed_record_verifies(signed, centre):
    report = verify_record(signed, keys=keyset())
    assert (report.problems, f"(key {pdf_key_id(centre.pk)})" in report.signed_by) == ([], True)


def test_one_changed_byte_in_a_signed_record_breaks_its_signature(signed):
    assert verify_record(one_byte_changed(signed, len(signed) // 3), keys=keyset()).problems == CHANGED


def test_a_changed_digit_in_the_signature_value_breaks_it(signed):
    """The ECDSA signature is the end of the /Contents hex string, before its zero padding."""
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    at = start + len(signed[start : signed.index(b">", start)].rstrip(b"0")) - 8
    digit = b"1" if signed[at : at + 1] != b"1" else b"2"
    changed = signed[:at] + digit + signed[at + 1 :]
    assert verify_record(changed, keys=keyset()).problems == CHANGED


def test_a_revision_appended_after_signing_is_reported(signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = TextStringObject("en-GB")  # a small, harmless-looking change
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert verify_record(out.getvalue(), keys=keyset()).problems == [
        "something was added to the file after it was signed"
    ]


def forged_credentials(name: str) -> tuple[asn1_keys.PrivateKeyInfo, asn1_x509.Certificate]:
    """An ECDSA P-256 key and a self-signed certificate naming the centre, made by someone without its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, name)]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return (
        asn1_keys.PrivateKeyInfo.load(der_key),
        asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
    )


def test_a_record_signed_with_a_certificate_not_in_the_key_set_fails(centre):
    private_key, certificate = forged_credentials(centre.name)
    signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=private_key,
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
    )
    forged = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(small_record())),
        signers.PdfSignatureMetadata(field_name="CentreSignature"),
        signer=signer,
    ).getvalue()
    assert verify_record(forged, keys=keyset()).problems == [
        "signed with a certificate that is not in the key set given (--keys): Organization: Riverside Care "
        "Academy, Common Name: Riverside Care Academy"
    ]


def test_a_file_that_is_not_a_pdf_is_reported_not_raised():
    (problem,) = verify_record(b"PK\x03\x04 not a pdf", keys=keyset()).problems
    assert problem.startswith("not a PDF, or too damaged to read (")


def saved_keys(tmp_path) -> str:
    path = tmp_path / "portfolio-keys.json"
    path.write_text(json.dumps(keyset().to_json()))
    return str(path)


def test_the_command_prints_who_signed_a_good_record(signed, centre, tmp_path):
    path = tmp_path / "record.pdf"
    path.write_bytes(signed)
    out = io.StringIO()
    call_command("verify_record", str(path), "--keys", saved_keys(tmp_path), stdout=out)
    assert re.fullmatch(
        rf"{re.escape(str(path))}: OK, signed by Organization: .+ \(key {pdf_key_id(centre.pk)}\) at .+ UTC\n",
        out.getvalue(),
    )


def test_the_command_fails_with_one_line_per_problem(signed, tmp_path):
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(signed)
    bad.write_bytes(one_byte_changed(signed, len(signed) // 3))
    out = io.StringIO()
    with pytest.raises(CommandError, match=f"^1 of 2 failed verification: {bad}$"):
        call_command("verify_record", str(good), str(bad), "--keys", saved_keys(tmp_path), stdout=out)
    assert out.getvalue().splitlines()[1:] == [f"{bad}: {CHANGED[0]}"]


def test_the_command_requires_the_key_set(tmp_path):
    with pytest.raises(CommandError, match="^Error: the following arguments are required: --keys$"):
        call_command("verify_record", str(tmp_path / "record.pdf"))


def test_a_record_signed_after_its_key_was_retired_fails(signed, centre):
    """A rotated PDF key verifies what it signed while in force, not a record that claims a later time."""
    key_id = pdf_key_id(centre.pk)
    published = keyset().to_json()
    retired_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    for key in published["keys"]:
        if key["key_id"] == key_id:
            key["valid_until"] = retired_at.isoformat()
    (problem,) = verify_record(signed, keys=KeySet.from_json(published)).problems
    assert re.fullmatch(rf"signed at \S+, when key {key_id} was not in force", problem)
