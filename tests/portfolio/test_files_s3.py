"""Evidence files on S3-compatible storage (django-storages against moto's local S3 server), and its settings."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from portfolio.models import EvidenceFile
from tests.factories import EnrolmentFactory, create_evidence_for
from tests.samples import PDF

BOUNDARY = "----evidence-files-s3-boundary"


def test_s3_bucket_setting_switches_file_storage_to_django_storages():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("S3_")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "S3_BUCKET": "portfolio-evidence",
        "S3_ENDPOINT_URL": "https://s3.example.org",
        "S3_REGION": "eu-west-2",
        "S3_ACCESS_KEY_ID": "key-id",
        "S3_SECRET_ACCESS_KEY": "secret",
    }
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.STORAGES['default'])"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "{'BACKEND': 'storages.backends.s3.S3Storage', 'OPTIONS': {'bucket_name': 'portfolio-evidence', "
        "'endpoint_url': 'https://s3.example.org', 'region_name': 'eu-west-2', 'access_key': 'key-id', "
        "'secret_key': 'secret', 'querystring_auth': True, 'file_overwrite': False, 'max_memory_size': 8388608}}"
    )


def test_files_are_stored_in_the_bucket_and_served_through_the_permission_checking_view(client, db, s3):
    evidence = create_evidence_for(EnrolmentFactory())
    client.force_login(evidence.learner)
    body = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="plan.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )

    response = client.post(
        reverse("portfolio:file_upload", args=[evidence.pk]),
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )

    stored = EvidenceFile.objects.get()
    assert response.status_code == 302
    assert [item["Key"] for item in s3.list_objects_v2(Bucket="evidence")["Contents"]] == [stored.file.name]
    download = client.get(reverse("portfolio:file_download", args=[stored.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="plan.pdf"'


def upload_body(name: str, content: bytes) -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def test_a_large_upload_goes_to_the_bucket_in_parts(client, db, s3):
    """boto3 sends a file over its 8 MiB threshold as a multipart upload: S3 never needs it in one request, and
    a multipart object's ETag says into how many parts it went."""
    evidence = create_evidence_for(EnrolmentFactory())
    client.force_login(evidence.learner)
    content = PDF + os.urandom(9 * 1024 * 1024)

    client.post(
        reverse("portfolio:file_upload", args=[evidence.pk]),
        upload_body("scan.pdf", content),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )

    stored = EvidenceFile.objects.get()
    head = s3.head_object(Bucket="evidence", Key=stored.file.name)
    assert (head["ContentLength"], head["ETag"].strip('"').endswith("-2")) == (len(content), True)


@pytest.fixture
def s3_video(client, db, s3):
    """A video in the bucket, its learner signed in; yields the GetObject requests the app sends to S3."""
    from django.core.files.storage import default_storage

    evidence = create_evidence_for(EnrolmentFactory())
    client.force_login(evidence.learner)
    client.post(
        reverse("portfolio:file_upload", args=[evidence.pk]),
        upload_body("clip.mp4", VIDEO),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    sent: list[str | None] = []
    default_storage.connection.meta.client.meta.events.register(
        "before-call.s3.GetObject",
        lambda params, **kwargs: sent.append(params.get("headers", {}).get("Range")),
    )
    return EvidenceFile.objects.get(), sent


VIDEO = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 400


def test_a_range_of_a_file_on_s3_is_asked_of_s3_and_streamed_through_the_app(client, s3_video):
    video, sent = s3_video

    response = client.get(
        reverse("portfolio:file_view", args=[video.pk]), headers={"Range": "bytes=5000-5999"}
    )

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 5000-5999/{len(VIDEO)}"
    assert response["Accept-Ranges"] == "bytes"
    assert "sandbox" in response["Content-Security-Policy"]  # the app's headers, not the bucket's
    assert b"".join(response.streaming_content) == VIDEO[5000:6000]
    assert sent == ["bytes=5000-5999"]  # only those bytes left S3


def test_a_whole_file_on_s3_is_streamed_from_one_getobject(client, s3_video):
    video, sent = s3_video

    response = client.get(reverse("portfolio:file_view", args=[video.pk]))

    assert (response.status_code, b"".join(response.streaming_content)) == (200, VIDEO)
    assert sent == [f"bytes=0-{len(VIDEO) - 1}"]


def test_a_range_past_the_end_of_a_file_on_s3_is_refused_without_asking_s3(client, s3_video):
    video, sent = s3_video

    response = client.get(reverse("portfolio:file_view", args=[video.pk]), headers={"Range": "bytes=999999-"})

    assert (response.status_code, response["Content-Range"], sent) == (416, f"bytes */{len(VIDEO)}", [])


def test_a_file_lost_from_the_bucket_is_not_found(client, s3_video, s3):
    video, _ = s3_video
    s3.delete_object(Bucket="evidence", Key=video.file.name)

    response = client.get(reverse("portfolio:file_view", args=[video.pk]), headers={"Range": "bytes=0-9"})

    assert response.status_code == 404
