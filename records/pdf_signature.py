"""The centre's signature in a final completion record PDF: PAdES, made with pyHanko.

The certificate is the centre's ECDSA P-256 one (`signing.keys.pdf_credentials`): PDF readers accept P-256 where
not all accept Ed25519, and it is published in the key set beside the other keys, so `verify_record` and a
person's PDF reader can check it. The signature is an invisible field (no appearance on the page, printable
flag set) added as an incremental update, so the PDF/A-3a document WeasyPrint wrote stays as it was, byte for
byte, before it, and its metadata is left alone (see `_MetadataKept`).
"""

import io

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.keys import pdf_credentials

FIELD = "CentreSignature"
REASON = "Completion record: completion confirmed by the internal verifier"


class _MetadataKept(IncrementalPdfFileWriter):
    """An incremental writer that leaves the document information and XMP metadata as WeasyPrint wrote them.

    pyHanko would name itself as producer, appended in the information dictionary but alone in the XMP packet;
    PDF/A requires the two to agree, so the signed record would no longer be PDF/A-3a.
    """

    def _update_meta(self) -> None:
        return


def sign_record_pdf(pdf: bytes, *, centre_id: int, centre_name: str) -> bytes:
    """The PDF with the centre's PAdES signature over all of it."""
    _key_id, private_key, certificate = pdf_credentials(centre_id)
    signing_cert = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    signer = signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(
            private_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([signing_cert]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=REASON,
        name=centre_name,
    )
    signed = signers.PdfSigner(metadata, signer=signer).sign_pdf(_MetadataKept(io.BytesIO(pdf)))
    return signed.getvalue()
