"""What a file is, from its content: libmagic (or `filetype` without it), the allow-list, names, streaming."""

import hashlib
import io
import os
import re
import zipfile

import pytest
from django.core.files.uploadhandler import SkipFile

from portfolio import file_types
from portfolio.file_types import display_name
from portfolio.uploads import EvidenceUploadHandler, UploadRefused, check_file
from tests.samples import EXE, HEIC, PDF, PNG


def ooxml(part: str) -> bytes:
    """A minimal Office Open XML package with the parts in the order Office writes them."""
    content_types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", content_types)
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr(part, "<document/>")
    return buffer.getvalue()


def opendocument(mimetype: str) -> bytes:
    """A minimal OpenDocument package: the uncompressed `mimetype` entry first, as the standard requires."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        package.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def ftyp(brand: bytes, compatible: bytes = b"") -> bytes:
    box = b"ftyp" + brand + b"\x00\x00\x02\x00" + (compatible or brand)
    return len(box + b"\x00\x00\x00\x00").to_bytes(4, "big") + box + b"\x00" * 32


def zip_of(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


DOCX = ooxml("word/document.xml")

ALLOWED = [
    ("plan.pdf", PDF, "application/pdf"),
    ("plan.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (
        "rota.xlsx",
        ooxml("xl/workbook.xml"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "talk.pptx",
        ooxml("ppt/presentation.xml"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    (
        "plan.odt",
        opendocument("application/vnd.oasis.opendocument.text"),
        "application/vnd.oasis.opendocument.text",
    ),
    (
        "rota.ods",
        opendocument("application/vnd.oasis.opendocument.spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    (
        "talk.odp",
        opendocument("application/vnd.oasis.opendocument.presentation"),
        "application/vnd.oasis.opendocument.presentation",
    ),
    ("letter.rtf", b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Hello}", "application/rtf"),
    ("notes.txt", "Notes from the handover, café break at 3.\n".encode(), "text/plain"),
    ("scores.csv", b"name,date,score\nA,2026-01-01,3\nB,2026-01-02,4\nC,2026-01-03,5\n", "text/csv"),
    (
        "photo.jpg",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32,
        "image/jpeg",
    ),
    ("ward.png", PNG, "image/png"),
    ("wave.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    ("photo.webp", b"RIFF\x1a\x00\x00\x00WEBPVP8 " + b"\x00" * 20, "image/webp"),
    ("IMG_0001.HEIC", HEIC, "image/heic"),
    ("IMG_0002.heif", b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic" + b"\x00" * 32, "image/heif"),
    ("scan.tif", b"II*\x00\x08\x00\x00\x00" + b"\x00" * 20, "image/tiff"),
    ("talk.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00" + b"\x00" * 100, "audio/mpeg"),
    ("memo.m4a", ftyp(b"M4A ", b"M4A isomiso2"), "audio/mp4"),
    ("memo.aac", b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\x00" * 64, "audio/aac"),
    (
        "memo.wav",
        b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x44\xac\x00\x00\x88X\x01\x00\x02\x00"
        b"\x10\x00data\x00\x00\x00\x00",
        "audio/wav",
    ),
    ("memo.opus", b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x13OpusHead\x01\x01" + b"\x00" * 20, "audio/ogg"),
    ("clip.mp4", ftyp(b"isom", b"isomiso2"), "video/mp4"),
    ("clip.mov", ftyp(b"qt  "), "video/quicktime"),
    ("clip.3gp", ftyp(b"3gp4"), "video/3gpp"),
    (
        "clip.webm",
        bytes.fromhex("1a45dfa39f4286810142f7810142f2810442f381084282847765626d42878104428581" + "02"),
        "video/webm",
    ),
]
REFUSED = [
    ("invoice.pdf", EXE, "a Windows program"),
    (
        "page.pdf",
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        "a web page",
    ),
    (
        "drawing.png",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "an SVG drawing",
    ),
    ("photos.zip", zip_of("a.txt", "hello"), "a ZIP archive"),
    (
        "random.pdf",
        b"".join(hashlib.sha256(bytes([n])).digest() for n in range(64)),
        "not a type we recognise,",
    ),
    ("picture.pdf", bytes(range(256)) * 4, "a kind of file we do not accept (technically image/x-tga),"),
]


@pytest.mark.parametrize(("name", "content", "expected"), ALLOWED, ids=[case[0] for case in ALLOWED])
def test_allowed_types_are_recognised_from_their_content(settings, tmp_path, name, content, expected):
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    with check_file(io.BytesIO(content), name=name) as upload:
        assert (upload.content_type, upload.size, upload.sha256) == (
            expected,
            len(content),
            hashlib.sha256(content).hexdigest(),
        )


@pytest.mark.parametrize(("name", "content", "what"), REFUSED, ids=[case[0] for case in REFUSED])
def test_other_content_is_refused_whatever_its_name(settings, tmp_path, name, content, what):
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    with pytest.raises(
        UploadRefused, match=f"^{re.escape(f'“{name}” was not uploaded: its content is {what}')}"
    ):
        check_file(io.BytesIO(content), name=name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.pdf", PDF, "application/pdf"),
        ("IMG_0001.HEIC", HEIC, "image/heic"),
        ("plan.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("notes.txt", "Handover notes, café at 3 o’clock.\n".encode(), "text/plain"),
    ],
)
def test_without_libmagic_filetype_recognises_the_common_types(
    monkeypatch, settings, tmp_path, name, content, expected
):
    monkeypatch.setattr(file_types, "magic", None)
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    with check_file(io.BytesIO(content), name=name) as upload:
        assert upload.content_type == expected


def test_without_libmagic_a_program_is_still_refused(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(file_types, "magic", None)
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    with pytest.raises(UploadRefused, match="its content is a Windows program"):
        check_file(io.BytesIO(EXE), name="invoice.pdf")


def test_the_allow_list_comes_from_settings(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    settings.EVIDENCE_ALLOWED_TYPES = ["application/pdf"]
    with pytest.raises(UploadRefused, match=r"its content is PNG, .*You can upload documents \(PDF\)\.$"):
        check_file(io.BytesIO(PNG), name="ward.png")


def test_allow_list_accepts_the_sniffers_other_names_for_a_type(settings):
    settings.EVIDENCE_ALLOWED_TYPES = ["audio/x-wav", "Audio/X-M4A"]
    assert file_types.allowed_types() == frozenset({"audio/wav", "audio/mp4"})


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\evil\\x.pdf", "x.pdf"),
        ("a\x00b\x01c\x1bd\x7f.pdf", "abcd.pdf"),
        ("line\nbreak\tand  spaces .pdf", "line break and spaces .pdf"),
        ("report\u202efdp.exe", "reportfdp.exe"),
        ('a<b>:c"d|e?f*.pdf', "a_b__c_d_e_f_.pdf"),
        ("Cafe\u0301 notes.pdf", "Café notes.pdf"),  # decomposed é made one character (NFC)
        ("  . hidden. ", "hidden"),
        ("", "unnamed file"),
        ("...", "unnamed file"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        ("x" * 300, "x" * 200),
        ("y" * 300 + "." + "z" * 40, ("y" * 300 + "." + "z" * 40)[:200]),
    ],
)
def test_display_names_are_made_safe(raw, shown):
    assert display_name(raw) == shown


def handler_for(settings, tmp_path, *, max_bytes: int) -> EvidenceUploadHandler:
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    settings.EVIDENCE_MAX_UPLOAD_BYTES = max_bytes
    handler = EvidenceUploadHandler()
    handler.new_file("files", "clip.pdf", "application/pdf", None)
    return handler


def test_handler_stops_a_file_as_soon_as_it_passes_the_limit_and_removes_what_it_wrote(settings, tmp_path):
    handler = handler_for(settings, tmp_path, max_bytes=2 * 1024 * 1024)
    chunk = PDF + b"%" * (1024 * 1024 - len(PDF))
    handler.receive_data_chunk(chunk, 0)
    handler.receive_data_chunk(b"%" * 1024 * 1024, 1024 * 1024)
    partial = handler.file.temporary_file_path()
    assert os.path.getsize(partial) == 2 * 1024 * 1024

    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"%", 2 * 1024 * 1024)

    assert not os.path.exists(partial)
    assert list(tmp_path.iterdir()) == []
    assert [problem.name for problem in handler.problems] == ["clip.pdf"]
    assert "larger than the 2.0\xa0MB limit" in handler.problems[0].message


def test_handler_refuses_a_program_from_its_first_chunk(settings, tmp_path):
    handler = handler_for(settings, tmp_path, max_bytes=1024**3)

    with pytest.raises(SkipFile):
        handler.receive_data_chunk(EXE + b"\x00" * file_types.SNIFF_HEAD_BYTES, 0)

    assert list(tmp_path.iterdir()) == []
    assert "its content is a Windows program" in handler.problems[0].message


def test_handler_waits_for_the_whole_file_before_judging_a_zip_container(settings, tmp_path):
    handler = handler_for(settings, tmp_path, max_bytes=1024**3)
    padded = DOCX + b"\x00" * file_types.SNIFF_HEAD_BYTES  # a ZIP from its first bytes; Word as a whole

    handler.receive_data_chunk(padded, 0)
    upload = handler.file_complete(len(padded))

    assert upload.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert upload.sha256 == hashlib.sha256(padded).hexdigest()
    upload.close()


def test_handler_keeps_the_browsers_claimed_type_apart_and_never_uses_it(settings, tmp_path):
    handler = handler_for(settings, tmp_path, max_bytes=1024**3)
    handler.receive_data_chunk(PNG, 0)

    upload = handler.file_complete(len(PNG))

    assert (upload.content_type, upload.claimed_content_type) == ("image/png", "application/pdf")
    upload.close()
