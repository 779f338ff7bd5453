"""HEIC photos (what iPhones take) are shown through a JPEG preview: made once, kept, never touching the original;
a photo that cannot be previewed says so."""

import hashlib
import io

import pytest
from django.urls import reverse
from PIL import Image
from pillow_heif import register_heif_opener

from portfolio import previews
from portfolio.models import EvidenceFile
from portfolio.services import files
from portfolio.uploads import check_file
from tests.factories import EnrolmentFactory, create_evidence_for, people_around
from tests.samples import PNG

register_heif_opener()


def heic(width: int = 64, height: int = 48) -> bytes:
    """A real HEIC photo, encoded by pillow-heif."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="HEIF", quality=60)
    return out.getvalue()


@pytest.fixture
def enrolment(db):
    return EnrolmentFactory()


def uploaded(enrolment, content: bytes, name: str = "IMG_0001.heic") -> EvidenceFile:
    evidence = create_evidence_for(enrolment)
    (outcome,) = files.add_files(
        user=enrolment.learner, evidence=evidence, uploads=[check_file(io.BytesIO(content), name=name)]
    )
    assert outcome.ok, outcome.message
    return outcome.evidence_file


def test_a_heic_photo_is_shown_as_a_jpeg_no_larger_than_the_preview_size(client, enrolment):
    photo = uploaded(enrolment, heic(3000, 2000))
    client.force_login(enrolment.assessor)
    response = client.get(reverse("portfolio:file_preview", args=[photo.pk]))
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert response["Content-Disposition"] == 'inline; filename="IMG_0001 (preview).jpg"'
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as jpeg:
        assert (jpeg.format, jpeg.size) == ("JPEG", (1600, 1067))


def test_the_original_photo_and_its_digest_are_untouched(client, enrolment):
    content = heic()
    photo = uploaded(enrolment, content)
    client.force_login(enrolment.learner)
    client.get(reverse("portfolio:file_preview", args=[photo.pk]))
    photo.refresh_from_db()
    with photo.file.open("rb") as stored:
        assert stored.read() == content
    assert (photo.sha256, photo.content_type) == (hashlib.sha256(content).hexdigest(), "image/heic")
    download = client.get(reverse("portfolio:file_download", args=[photo.pk]))
    assert b"".join(download.streaming_content) == content


def test_the_preview_is_made_once_and_kept(client, enrolment, monkeypatch):
    photo = uploaded(enrolment, heic())
    client.force_login(enrolment.learner)
    client.get(reverse("portfolio:file_preview", args=[photo.pk]))
    monkeypatch.setattr(previews, "_jpeg", lambda data: pytest.fail("the preview was made again"))
    response = client.get(reverse("portfolio:file_preview", args=[photo.pk]))
    assert response.status_code == 200
    assert photo.file.storage.exists(previews.preview_name(photo))


def test_a_photo_too_large_to_decode_safely_gets_no_preview_and_says_so(client, enrolment, monkeypatch):
    monkeypatch.setattr(previews, "MAX_PIXELS", 64 * 48 - 1)
    photo = uploaded(enrolment, heic(64, 48))
    client.force_login(enrolment.learner)
    response = client.get(reverse("portfolio:file_preview", args=[photo.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert "No preview of this photo" in response.content.decode()


def test_a_damaged_photo_gets_no_preview_and_says_so(client, enrolment):
    photo = uploaded(enrolment, heic()[:200], name="broken.heic")
    client.force_login(enrolment.learner)
    response = client.get(reverse("portfolio:file_preview", args=[photo.pk]))
    assert "No preview of this photo" in response.content.decode()


def test_only_those_who_may_see_the_evidence_get_the_preview(client, enrolment):
    photo = uploaded(enrolment, heic())
    client.force_login(people_around(enrolment)["other learner"])
    assert client.get(reverse("portfolio:file_preview", args=[photo.pk])).status_code == 404


def test_a_file_browsers_can_show_has_no_preview(client, enrolment):
    picture = uploaded(enrolment, PNG, name="plan.png")
    client.force_login(enrolment.learner)
    assert client.get(reverse("portfolio:file_preview", args=[picture.pk])).status_code == 404


def test_the_review_screen_shows_the_preview_of_a_heic_photo(client, enrolment):
    photo = uploaded(enrolment, heic())
    client.force_login(enrolment.assessor)
    page = client.get(reverse("assessments:review", args=[photo.evidence_id])).content.decode()
    assert f'<img src="{reverse("portfolio:file_preview", args=[photo.pk])}"' in page
    assert "HEIC photo, shown as a smaller copy (Download gives the photo as it was uploaded)" in page


def test_the_learners_view_link_opens_the_preview_instead_of_downloading_the_photo(client, enrolment):
    photo = uploaded(enrolment, heic())
    client.force_login(enrolment.learner)
    page = client.get(reverse("portfolio:evidence_detail", args=[photo.evidence_id])).content.decode()
    assert f'<a href="{reverse("portfolio:file_preview", args=[photo.pk])}"' in page
    assert reverse("portfolio:file_view", args=[photo.pk]) not in page
