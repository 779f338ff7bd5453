"""Headers every response carries: a strict Content-Security-Policy (Django's own; no inline script or style in
any template), a Permissions-Policy, no-store for a signed-in person; and the inline file views, which the site's
own pages may frame (a PDF on the review screen) and no other site's."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from portfolio.services import files
from portfolio.uploads import check_file
from tests.factories import EnrolmentFactory, create_evidence_for
from tests.samples import PDF, PNG

pytestmark = pytest.mark.django_db
TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]
# Rendered by WeasyPrint into the completion record PDF, never served as a page.
PDF_ONLY = {"records/_completion_record_style.html"}


@pytest.fixture
def learner(client):
    enrolment = EnrolmentFactory()
    client.force_login(enrolment.learner)
    return client, enrolment


def add(evidence, name: str, content: bytes):
    with check_file(io.BytesIO(content), name=name) as upload:
        return files.add_file(user=evidence.learner, evidence=evidence, upload=upload).evidence_file


def test_every_page_carries_a_strict_content_security_policy(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_every_page_carries_a_permissions_policy(client):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    assert "camera=()" in policy
    assert "microphone=()" in policy
    assert "geolocation=()" in policy


def test_pages_for_a_signed_in_person_are_never_stored(learner):
    client, _ = learner
    assert "no-store" in client.get(reverse("assessments:home"))["Cache-Control"]


def test_no_template_holds_an_inline_script_style_or_event_handler():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)
    found = [
        f"{path.relative_to(folder)}: {match.group(0)}"
        for folder in TEMPLATE_DIRS
        for path in folder.rglob("*.html")
        if str(path.relative_to(folder)) not in PDF_ONLY
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_review_screen_may_frame_a_pdf_and_no_other_site_may(learner):
    client, enrolment = learner
    stored = add(create_evidence_for(enrolment), "notes.pdf", PDF)

    response = client.get(reverse("portfolio:file_view", args=[stored.pk]))

    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_inline_image_is_sandboxed(learner):
    client, enrolment = learner
    stored = add(create_evidence_for(enrolment), "ward.png", PNG)

    response = client.get(reverse("portfolio:file_view", args=[stored.pk]))

    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize(
    ("uploaded", "downloaded"),
    [
        ("report.html", "report.pdf"),
        ("invoice\u202egpj.exe", "invoicegpj.pdf"),
        ("notes", "notes.pdf"),
        ("minutes v1.2 final", "minutes v1.2 final.pdf"),
        ("care plan.PDF", "care plan.PDF"),
    ],
)
def test_a_download_is_named_for_what_the_file_is(learner, uploaded, downloaded):
    client, enrolment = learner
    stored = add(create_evidence_for(enrolment), uploaded, PDF)

    response = client.get(reverse("portfolio:file_download", args=[stored.pk]))

    assert response["Content-Disposition"] in (
        f'attachment; filename="{downloaded}"',
        f"attachment; filename*=utf-8''{downloaded.replace(' ', '%20')}",
    )


def test_bidi_controls_never_reach_a_stored_name(learner):
    _, enrolment = learner
    stored = add(create_evidence_for(enrolment), "invoice\u202egpj\u2066.exe", PDF)
    assert stored.original_name == "invoicegpj.exe"
