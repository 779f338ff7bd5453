"""Office and OpenDocument files are ZIP containers: one declaring far more unpacked than it holds is refused
with a clear message, before anything is stored; ordinary documents pass."""

import io
import struct
import zipfile

import pytest

from portfolio.uploads import UploadRefused, check_file

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
    b'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+'
    b'xml"/></Types>'
)


def docx(document: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", b"<Relationships/>")
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def declaring(data: bytes, member: str, unpacked: int) -> bytes:
    """The container with `member`'s uncompressed size rewritten in its central directory (what readers trust)."""
    data, at = bytearray(data), -1
    while (at := data.find(b"PK\x01\x02", at + 1)) != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, at + 24, unpacked)
            return bytes(data)
    raise AssertionError(f"{member} not in the container")


def test_an_ordinary_word_document_is_kept():
    upload = check_file(
        io.BytesIO(docx(b"<w:document>" + b"Care plan review. " * 2000 + b"</w:document>")), name="plan.docx"
    )
    assert upload.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_a_word_document_declaring_2_gib_unpacked_is_refused():
    bomb = declaring(docx(b"<w:document/>"), "word/document.xml", 2 * 1024**3)

    with pytest.raises(UploadRefused) as refused:
        check_file(io.BytesIO(bomb), name="plan.docx")

    assert str(refused.value).startswith(
        "“plan.docx” was not uploaded: it says it unpacks to 2.0\xa0GB in 3 parts"
    )
    assert "Save it again from the program that made it, or as a PDF." in str(refused.value)


def test_a_word_document_that_unpacks_to_a_thousand_times_its_size_is_refused():
    bomb = docx(b"<w:document>" + b"\0" * (48 * 1024**2) + b"</w:document>")

    with pytest.raises(UploadRefused) as refused:
        check_file(io.BytesIO(bomb), name="plan.docx")

    assert "times its own size, which documents never do" in str(refused.value)
