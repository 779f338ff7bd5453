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
        "'secret_key': 'secret', 'querystring_auth': True}}"
    )


@pytest.fixture
def s3(settings, tmp_path, monkeypatch):
    """A local S3 server with one bucket, set as the default storage."""
    pytest.importorskip("storages")
    boto3 = pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2")
    client.create_bucket(Bucket="evidence", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "evidence",
                "endpoint_url": endpoint,
                "region_name": "eu-west-2",
                "access_key": "testing",
                "secret_key": "testing",
            },
        },
    }
    yield client
    server.stop()


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
