"""Evidence files over HTTP: uploading, bad input, versions, downloading, viewing, and who may do each."""

import hashlib
import io
import re
from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from centres.access import Access
from centres.models import Membership
from portfolio.models import Evidence, EvidenceFile
from portfolio.selectors.files import file_panel
from portfolio.services import PortfolioError, files
from portfolio.services.evidence import submit_evidence
from portfolio.services.mappings import add_mapping
from portfolio.uploads import check_file
from tests.factories import (
    ROLES,
    EnrolmentFactory,
    UserFactory,
    create_evidence_for,
    create_specification,
    people_around,
)
from tests.samples import EXE, MP4, OTHER_PDF, PDF, PNG, TEXT
from units.models import RangeItem

Role = Membership.Role
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
BOUNDARY = "----evidence-files-test-boundary"


def multipart(*parts: tuple[str, str, bytes], claimed_type: str = "application/pdf") -> dict:
    """A multipart body built by hand, so file names reach the server exactly as given (the test client would
    strip path parts itself)."""
    body = b""
    for field, filename, content in parts:
        body += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                f"Content-Type: {claimed_type}\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    body += f"--{BOUNDARY}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={BOUNDARY}"}


def stored_files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def enrolment(db):
    return EnrolmentFactory()


@pytest.fixture
def evidence(enrolment):
    return create_evidence_for(enrolment)


@pytest.fixture
def learner(client, enrolment):
    client.force_login(enrolment.learner)
    return client


def upload_url(evidence) -> str:
    return reverse("portfolio:file_upload", args=[evidence.pk])


def add(evidence, name: str, content: bytes) -> EvidenceFile:
    """A file added through the service, as the learner."""
    with check_file(io.BytesIO(content), name=name) as upload:
        return files.add_file(user=evidence.learner, evidence=evidence, upload=upload).evidence_file


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Uploading


def test_learner_uploads_two_files_in_one_form_post(learner, evidence, media):
    response = learner.post(
        upload_url(evidence), **multipart(("files", "care plan.pdf", PDF), ("files", "ward.png", PNG))
    )

    assert response.status_code == 302
    assert (
        response["Location"] == reverse("portfolio:evidence_detail", args=[evidence.pk]) + "#evidence-files"
    )
    assert shown_messages(response) == ["“care plan.pdf” added to E1.", "“ward.png” added to E1."]
    pdf, png = EvidenceFile.objects.order_by("pk")
    assert (pdf.original_name, pdf.content_type, pdf.size, pdf.sha256) == (
        "care plan.pdf",
        "application/pdf",
        len(PDF),
        hashlib.sha256(PDF).hexdigest(),
    )
    assert (png.original_name, png.content_type, png.size, png.sha256) == (
        "ward.png",
        "image/png",
        len(PNG),
        hashlib.sha256(PNG).hexdigest(),
    )
    assert [pdf.is_current, png.is_current] == [True, True]
    assert pdf.uploaded_by == evidence.learner
    assert len(stored_files(media.MEDIA_ROOT)) == 2
    assert pdf.file.read() == PDF


def test_stored_name_is_our_own_and_never_the_uploaded_one(learner, evidence):
    learner.post(upload_url(evidence), **multipart(("files", "Care plan for Mrs Jones.pdf", PDF)))

    stored = EvidenceFile.objects.get()
    assert re.fullmatch(rf"evidence/{evidence.centre_id}/[0-9a-f]{{32}}\.pdf", stored.file.name)
    assert "Jones" not in stored.file.name


def test_suffix_of_the_stored_file_follows_the_content_not_the_name(learner, evidence):
    learner.post(upload_url(evidence), **multipart(("files", "photo.jpg", PNG)))

    stored = EvidenceFile.objects.get()
    assert stored.file.name.endswith(".png")
    assert stored.original_name == "photo.jpg"
    assert stored.content_type == "image/png"


def test_script_upload_answers_with_the_file_panel_and_a_result(learner, evidence):
    response = learner.post(upload_url(evidence), **multipart(("files", "notes.txt", TEXT)), **XHR)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('id="evidence-files"') == 1
    assert 'data-file-result="added"' in page
    assert "“notes.txt” added to E1." in page
    assert "<strong>notes.txt</strong>" in page
    assert "plain text · 61\xa0bytes" in page


def test_htmx_upload_answers_with_the_file_panel(learner, evidence):
    response = learner.post(
        upload_url(evidence), **multipart(("files", "notes.txt", TEXT)), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert 'data-file-result="added"' in response.content.decode()


def test_upload_view_still_checks_the_csrf_token(enrolment, evidence, media):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enrolment.learner)

    response = client.post(upload_url(evidence), **multipart(("files", "a.pdf", PDF)))

    assert response.status_code == 403
    assert EvidenceFile.objects.count() == 0
    assert stored_files(media.MEDIA_ROOT) == []


def test_upload_with_the_form_token_passes_the_csrf_check(enrolment, evidence):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enrolment.learner)
    page = client.get(reverse("portfolio:evidence_detail", args=[evidence.pk])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(upload_url(evidence), **multipart(("files", "a.pdf", PDF)), HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 302
    assert EvidenceFile.objects.count() == 1


# Bad input: each gets a clear message, and nothing is stored half-way.


def assert_nothing_stored(media) -> None:
    assert EvidenceFile.objects.count() == 0
    assert stored_files(media.MEDIA_ROOT) == []
    assert list(media.FILE_UPLOAD_TEMP_DIR.iterdir()) == []


def test_program_renamed_pdf_is_refused_by_its_content(learner, evidence, media):
    response = learner.post(upload_url(evidence), **multipart(("files", "invoice.pdf", EXE)), **XHR)

    assert response.status_code == 400
    assert (
        "“invoice.pdf” was not uploaded: its content is a Windows program, "
        "whatever its name says. You can upload documents "
        "(PDF, Word, Excel, PowerPoint, OpenDocument, RTF, plain text, CSV), images (JPEG, PNG, GIF, WebP, "
        "HEIC/HEIF, TIFF), audio (MP3, M4A, AAC, WAV, Ogg/Opus) and video (MP4, MOV, WebM, 3GP)."
    ) in response.content.decode()
    assert_nothing_stored(media)


def test_a_large_program_is_refused_from_its_first_bytes_without_being_stored(learner, evidence, media):
    response = learner.post(
        upload_url(evidence), **multipart(("files", "video.mp4", EXE + b"\x00" * (3 * 1024 * 1024))), **XHR
    )

    assert response.status_code == 400
    assert "“video.mp4” was not uploaded: its content is a Windows program" in response.content.decode()
    assert_nothing_stored(media)


def test_empty_file_is_refused(learner, evidence, media):
    response = learner.post(upload_url(evidence), **multipart(("files", "empty.pdf", b"")))

    assert response.status_code == 302
    assert shown_messages(response) == [
        "“empty.pdf” was not uploaded: it is empty (0 bytes). Check that it opens on your device, then choose it again."
    ]
    assert_nothing_stored(media)


def test_file_over_the_limit_is_refused_while_streaming_and_its_partial_file_removed(
    learner, evidence, media
):
    media.EVIDENCE_MAX_UPLOAD_BYTES = 3 * 1024 * 1024
    too_big = PDF + b"%" * (5 * 1024 * 1024)

    response = learner.post(upload_url(evidence), **multipart(("files", "long video.pdf", too_big)), **XHR)

    assert response.status_code == 400
    assert (
        "“long video.pdf” was not uploaded: it is larger than the 3.0\xa0MB limit for one file. Make it smaller "
        "(for a video, a shorter clip or a lower quality) or split it, then upload it again."
    ) in response.content.decode()
    assert_nothing_stored(media)


def test_one_refused_file_does_not_lose_the_others_in_the_same_post(learner, evidence, media):
    response = learner.post(
        upload_url(evidence),
        **multipart(("files", "a.pdf", PDF), ("files", "b.exe", EXE), ("files", "c.png", PNG)),
    )

    assert [m.split(":")[0] for m in shown_messages(response)] == [
        "“b.exe” was not uploaded",
        "“a.pdf” added to E1.",
        "“c.png” added to E1.",
    ]
    assert sorted(EvidenceFile.objects.values_list("original_name", flat=True)) == ["a.pdf", "c.png"]
    assert len(stored_files(media.MEDIA_ROOT)) == 2
    assert list(media.FILE_UPLOAD_TEMP_DIR.iterdir()) == []


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\evil\\x.pdf", "x.pdf"),
        ("a\x00b\x01c\x1bd\x7f.pdf", "abcd.pdf"),
        ("report\u202efdp.exe", "reportfdp.exe"),
        ("<img src=x onerror=alert(1)>.pdf", "_img src=x onerror=alert(1)_.pdf"),
        ("Évaluation – café 日本.pdf", "Évaluation – café 日本.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
    ids=["parent path", "windows path", "control characters", "bidi override", "markup", "unicode", "long"],
)
def test_uploaded_names_are_kept_for_display_only_and_made_safe(learner, evidence, sent, kept):
    response = learner.post(upload_url(evidence), **multipart(("files", sent, PDF)))

    stored = EvidenceFile.objects.get()
    assert response.status_code == 302
    assert stored.original_name == kept
    assert re.fullmatch(rf"evidence/{evidence.centre_id}/[0-9a-f]{{32}}\.pdf", stored.file.name)


def test_a_name_of_only_dots_is_not_received_and_the_learner_is_told(learner, evidence, media):
    response = learner.post(upload_url(evidence), **multipart(("files", "..", PDF)), **XHR)

    assert response.status_code == 400
    assert "No file was received: choose a file, then press the upload button." in response.content.decode()
    assert_nothing_stored(media)


def test_a_name_too_long_to_read_gets_a_clear_answer(learner, evidence, media):
    response = learner.post(upload_url(evidence), **multipart(("files", "é" * 600 + ".pdf", PDF)), **XHR)

    assert response.status_code == 400
    assert "The upload could not be read: the connection may have dropped, or a file name is too long." in (
        response.content.decode()
    )
    assert_nothing_stored(media)


def test_same_content_twice_in_one_piece_of_evidence_is_refused_naming_the_file(learner, evidence, media):
    add(evidence, "minutes.pdf", PDF)

    response = learner.post(upload_url(evidence), **multipart(("files", "minutes copy.pdf", PDF)))

    assert shown_messages(response) == [
        "“minutes copy.pdf” was not added: it has the same content as “minutes.pdf”, already in E1."
    ]
    assert EvidenceFile.objects.count() == 1
    assert len(stored_files(media.MEDIA_ROOT)) == 1


def test_a_form_posted_twice_stores_the_file_once(learner, evidence, media):
    body = multipart(("files", "minutes.pdf", PDF))

    first = learner.post(upload_url(evidence), **body)
    learner.get(first["Location"])  # the browser follows the redirect and shows the message
    second = learner.post(upload_url(evidence), **body)

    assert shown_messages(first) == ["“minutes.pdf” added to E1."]
    assert shown_messages(second) == [
        "“minutes.pdf” was not added: it has the same content as “minutes.pdf”, already in E1."
    ]
    assert EvidenceFile.objects.count() == 1
    assert len(stored_files(media.MEDIA_ROOT)) == 1
    assert list(media.FILE_UPLOAD_TEMP_DIR.iterdir()) == []


def test_same_content_in_another_piece_of_evidence_is_added_and_pointed_out(learner, enrolment, evidence):
    add(evidence, "supervision notes.pdf", PDF)
    second = create_evidence_for(enrolment, title="Professional discussion")

    response = learner.post(upload_url(second), **multipart(("files", "notes.pdf", PDF)))

    assert shown_messages(response) == [
        "“notes.pdf” added to E2. It has the same content as “supervision notes.pdf” in E1: if it is the same "
        "piece of work, you could map E1 to more criteria instead of uploading it twice."
    ]
    assert EvidenceFile.objects.filter(evidence=second).count() == 1


def test_learner_cannot_upload_to_another_learners_evidence(client, evidence, media):
    other = EnrolmentFactory(centre=evidence.centre)
    client.force_login(other.learner)

    response = client.post(upload_url(evidence), **multipart(("files", "a.pdf", PDF)))

    assert response.status_code == 404
    assert_nothing_stored(media)


def test_learner_cannot_download_another_learners_file(client, evidence):
    evidence_file = add(evidence, "a.pdf", PDF)
    client.force_login(EnrolmentFactory(centre=evidence.centre).learner)

    response = client.get(reverse("portfolio:file_download", args=[evidence_file.pk]))

    assert response.status_code == 404


def test_a_file_that_does_not_exist_is_not_found(learner, evidence):
    assert learner.get(reverse("portfolio:file_download", args=[999999])).status_code == 404


# Submitted evidence


@pytest.fixture
def submitted(db):
    specification = create_specification(groups=1, criteria_per_group=1)
    enrolment = EnrolmentFactory(specifications=[specification])
    evidence = create_evidence_for(enrolment)
    criterion = specification.criteria.get()
    add_mapping(
        user=enrolment.learner,
        evidence=evidence,
        criterion=criterion,
        range_item=RangeItem.objects.get(criterion=criterion),
    )
    return submit_evidence(user=enrolment.learner, evidence=evidence, declaration=True)


def test_upload_to_submitted_evidence_is_forbidden(client, submitted, media):
    client.force_login(submitted.learner)

    response = client.post(upload_url(submitted), **multipart(("files", "late.pdf", PDF)))

    assert response.status_code == 403
    assert_nothing_stored(media)


def test_service_refuses_files_for_submitted_evidence(submitted, media):
    with (
        check_file(io.BytesIO(PDF), name="late.pdf") as upload,
        pytest.raises(
            PortfolioError,
            match=r"^E1 is submitted: its files cannot be changed until the assessor refers it back\.$",
        ),
    ):
        files.add_file(user=submitted.learner, evidence=submitted, upload=upload)
    assert_nothing_stored(media)


# Versions


def test_replacing_a_file_keeps_the_old_version_downloadable(learner, evidence, media):
    old = add(evidence, "plan.pdf", PDF)

    response = learner.post(
        reverse("portfolio:file_replace", args=[old.pk]), **multipart(("file", "plan v2.pdf", OTHER_PDF))
    )

    new = EvidenceFile.objects.get(is_current=True)
    old.refresh_from_db()
    assert shown_messages(response) == [
        "“plan v2.pdf” replaces “plan.pdf” in E1; the earlier version is kept."
    ]
    assert (old.is_current, new.replaces) == (False, old)
    assert len(stored_files(media.MEDIA_ROOT)) == 2
    download = learner.get(reverse("portfolio:file_download", args=[old.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_panel_lists_earlier_versions_under_the_current_file(learner, evidence):
    old = add(evidence, "plan.pdf", PDF)
    learner.post(
        reverse("portfolio:file_replace", args=[old.pk]), **multipart(("file", "plan v2.pdf", OTHER_PDF))
    )

    (row,) = file_panel(access=Access(evidence.learner), evidence=evidence).rows

    assert row.current.file.original_name == "plan v2.pdf"
    assert [version.file.pk for version in row.earlier] == [old.pk]


def test_replacing_with_the_same_content_is_refused(learner, evidence, media):
    old = add(evidence, "plan.pdf", PDF)

    response = learner.post(
        reverse("portfolio:file_replace", args=[old.pk]), **multipart(("file", "plan.pdf", PDF)), **XHR
    )

    assert response.status_code == 400
    assert (
        "“plan.pdf” has the same content as the current version of “plan.pdf”: there is nothing to replace."
        in response.content.decode()
    )
    assert EvidenceFile.objects.count() == 1
    assert len(stored_files(media.MEDIA_ROOT)) == 1


def test_an_earlier_version_cannot_be_replaced(learner, evidence):
    old = add(evidence, "plan.pdf", PDF)
    learner.post(
        reverse("portfolio:file_replace", args=[old.pk]), **multipart(("file", "plan v2.pdf", OTHER_PDF))
    )

    response = learner.post(
        reverse("portfolio:file_replace", args=[old.pk]), **multipart(("file", "v3.png", PNG)), **XHR
    )

    assert response.status_code == 400
    assert (
        "“plan.pdf” has already been replaced by a newer version: replace that one."
        in response.content.decode()
    )
    assert EvidenceFile.objects.count() == 2


def test_replacing_with_a_program_is_refused_and_the_current_file_stays(learner, evidence, media):
    old = add(evidence, "plan.pdf", PDF)

    response = learner.post(
        reverse("portfolio:file_replace", args=[old.pk]), **multipart(("file", "plan.pdf", EXE)), **XHR
    )

    old.refresh_from_db()
    assert response.status_code == 400
    assert old.is_current
    assert EvidenceFile.objects.count() == 1
    assert list(media.FILE_UPLOAD_TEMP_DIR.iterdir()) == []


# Serving files


def test_download_is_an_attachment_with_the_sniffed_type_and_the_original_name(learner, evidence):
    evidence_file = add(evidence, 'minutes "final".pdf', PDF)

    response = learner.get(reverse("portfolio:file_download", args=[evidence_file.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="minutes _final_.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(PDF))
    assert b"".join(response.streaming_content) == PDF


def test_download_encodes_a_unicode_name(learner, evidence):
    evidence_file = add(evidence, "réunion d’équipe.pdf", PDF)

    response = learner.get(reverse("portfolio:file_download", args=[evidence_file.pk]))

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''r%C3%A9union%20d%E2%80%99%C3%A9quipe.pdf"
    )


def test_a_type_no_longer_allowed_is_downloaded_as_plain_bytes(learner, evidence, media):
    evidence_file = add(evidence, "notes.txt", TEXT)
    media.EVIDENCE_ALLOWED_TYPES = ["application/pdf"]

    response = learner.get(reverse("portfolio:file_download", args=[evidence_file.pk]))

    assert response["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("ward.png", PNG, "image/png"), ("plan.pdf", PDF, "application/pdf"), ("clip.mp4", MP4, "video/mp4")],
)
def test_images_pdfs_and_video_open_in_the_browser(learner, evidence, name, content, content_type):
    evidence_file = add(evidence, name, content)

    response = learner.get(reverse("portfolio:file_view", args=[evidence_file.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'inline; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_other_types_are_downloaded_even_from_the_view_link(learner, evidence):
    evidence_file = add(evidence, "notes.txt", TEXT)

    response = learner.get(reverse("portfolio:file_view", args=[evidence_file.pk]))

    assert response["Content-Disposition"] == 'attachment; filename="notes.txt"'
    assert response["Content-Type"] == "text/plain"


def test_panel_offers_view_only_for_types_that_open_in_the_browser(learner, evidence):
    pdf = add(evidence, "plan.pdf", PDF)
    text = add(evidence, "notes.txt", TEXT)

    page = learner.get(reverse("portfolio:evidence_detail", args=[evidence.pk])).content.decode()

    assert reverse("portfolio:file_view", args=[pdf.pk]) in page
    assert reverse("portfolio:file_view", args=[text.pk]) not in page
    assert reverse("portfolio:file_download", args=[text.pk]) in page


def test_panel_reminds_the_learner_to_anonymise_before_uploading(learner, evidence):
    page = learner.get(reverse("portfolio:evidence_detail", args=[evidence.pk])).content.decode()

    assert "Remove names and anything that identifies the people you support before you upload" in page
    assert '<input type="file" id="evidence-files-input" name="files" multiple required' in page


def test_panel_has_no_upload_form_for_someone_who_may_not_change_the_evidence(client, enrolment, evidence):
    client.force_login(enrolment.assessor)

    page = client.get(reverse("portfolio:evidence_detail", args=[evidence.pk])).content.decode()

    assert 'id="evidence-files"' in page
    assert 'name="files"' not in page
    assert "Replace with a new version" not in page


# Who may do what


@dataclass
class World:
    people: dict
    evidence: Evidence
    evidence_file: EvidenceFile


READ = {
    "learner": 200,
    "other learner": 404,
    "assessor": 200,
    "other assessor": 404,
    "internal verifier": 200,
    "centre admin": 200,
    "eqa": 200,
    "other centre admin": 404,
    "anonymous": 302,
}
WRITE = {
    "learner": 302,
    "other learner": 404,
    "assessor": 403,
    "other assessor": 404,
    "internal verifier": 403,
    "centre admin": 403,
    "eqa": 403,
    "other centre admin": 404,
    "anonymous": 302,
}
ACTIONS = {
    "download": ("get", lambda w: reverse("portfolio:file_download", args=[w.evidence_file.pk]), READ),
    "view": ("get", lambda w: reverse("portfolio:file_view", args=[w.evidence_file.pk]), READ),
    "upload": ("post", lambda w: reverse("portfolio:file_upload", args=[w.evidence.pk]), WRITE),
    "replace": ("post", lambda w: reverse("portfolio:file_replace", args=[w.evidence_file.pk]), WRITE),
}
assert all(set(answers) == set(ROLES) for _, _, answers in ACTIONS.values()), "an action leaves a role out"


@pytest.fixture
def world(enrolment, evidence) -> World:
    people = people_around(enrolment)
    return World(people, evidence, add(evidence, "plan.pdf", PDF))


@pytest.mark.parametrize(
    ("action", "role", "expected"),
    [
        pytest.param(action, role, expected, id=f"{action}-{role}")
        for action, (_, _, answers) in ACTIONS.items()
        for role, expected in answers.items()
    ],
)
def test_file_actions_answer_each_role(client, world, action, role, expected):
    method, url, _ = ACTIONS[action]
    if world.people[role] is not None:
        client.force_login(world.people[role])
    field = "files" if action == "upload" else "file"
    body = multipart((field, "new.png", PNG)) if method == "post" else {}

    response = getattr(client, method)(url(world), **body)

    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif expected == 302:
        assert response["Location"] == reverse("portfolio:evidence_detail", args=[world.evidence.pk]) + (
            "#evidence-files"
        )
    expected_files = 2 if (method == "post" and role == "learner") else 1
    assert EvidenceFile.objects.count() == expected_files


def test_inactive_learner_is_treated_as_signed_out(client, world):
    learner = world.people["learner"]
    learner.is_active = False
    learner.save()
    client.force_login(learner)

    response = client.get(reverse("portfolio:file_download", args=[world.evidence_file.pk]))

    assert response.status_code == 302


# Cost


@pytest.mark.parametrize("count", [1, 30])
def test_file_panel_costs_one_query_whatever_the_number_of_files(evidence, django_assert_num_queries, count):
    learner = evidence.learner
    current = EvidenceFile.objects.bulk_create(
        EvidenceFile(
            evidence=evidence,
            file=f"evidence/{evidence.centre_id}/{n:032x}.pdf",
            original_name=f"file {n}.pdf",
            size=100,
            content_type="application/pdf",
            sha256=f"{n:064x}",
            uploaded_by=learner,
        )
        for n in range(count)
    )
    old = current[0]
    EvidenceFile.objects.filter(pk=old.pk).update(is_current=False)
    EvidenceFile.objects.create(
        evidence=evidence,
        file=f"evidence/{evidence.centre_id}/{'f' * 32}.pdf",
        original_name="file 0 v2.pdf",
        size=100,
        content_type="application/pdf",
        sha256="f" * 64,
        uploaded_by=learner,
        replaces=old,
    )
    evidence = Evidence.objects.select_related("enrolment").get(pk=evidence.pk)

    with django_assert_num_queries(1):  # the files, current and earlier versions, with their uploaders
        panel = file_panel(access=Access(learner), evidence=evidence)
        page = render_to_string("portfolio/_files.html", {"file_panel": panel})

    assert len(panel.rows) == count
    assert page.count('class="file-item"') == count
    assert "Earlier versions (1)" in page


def test_someone_not_signed_in_gets_no_upload_form(evidence):
    panel = file_panel(access=Access(UserFactory()), evidence=evidence)

    assert panel.may_upload is False
