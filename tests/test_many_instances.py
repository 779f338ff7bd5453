"""Many instances (#15 item 5): two app servers, each with its own background worker (`bin/serve` twice), against
one PostgreSQL and one S3 bucket (moto's server), no proxy. Slow (about 40 s), marked `production`; CI runs it.

It shows what "no state on local disk" is for: a file uploaded through one server downloads through the other,
each server's MEDIA_ROOT stays empty, and exports asked for through either server are each made by exactly one
of the two workers.
"""

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from centres.models import Enrolment
from jobs.models import Worker
from portfolio.models import EvidenceFile
from records.models import Export
from tests.factories import DEFAULT_PASSWORD, create_evidence_for
from tests.factories.centres import enrolment_on_a_unit
from tests.test_production import NOT_INHERITED, POSTGRES, _stop, free_port

ROOT = Path(settings.BASE_DIR)
pytestmark = [
    pytest.mark.production,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not POSTGRES, reason="the servers share the test database: PostgreSQL (DATABASE_URL) only"
    ),
]
LEARNERS = 6
BUCKET = "portfolio-many"


@dataclass
class Instances:
    urls: list[str]
    media: list[Path]
    learners: list[str]
    evidence_pk: int
    bucket: object  # a boto3 client of the bucket


def _environment(database: str, endpoint: str, media: Path, port: int, keys: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(
        DEBUG="false",
        SECRET_KEY="many-instances-test-" + "k" * 50,
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}").geturl(),
        MEDIA_ROOT=str(media),
        ENV_FILE="",
        SKIP_SYSTEM_PACKAGES="1",
        TASKS_BACKEND="database",
        SIGNING_KEY_DIR=str(keys),  # configuration both instances are given, as SECRET_KEY is
        S3_BUCKET=BUCKET,
        S3_ENDPOINT_URL=endpoint,
        S3_REGION="eu-west-2",
        S3_ACCESS_KEY_ID="testing",
        S3_SECRET_ACCESS_KEY="testing",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="4",
        WORKER_HEARTBEAT_SECONDS="1",
        WORKER_STALE_SECONDS="30",
    )
    return env


@pytest.fixture(scope="module")
def instances(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Instances]:
    boto3 = pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    bucket = boto3.client(
        "s3", endpoint_url=endpoint, region_name="eu-west-2", aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )  # fmt: skip
    bucket.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    with django_db_blocker.unblock():
        enrolments = [enrolment_on_a_unit() for _ in range(LEARNERS)]
        evidence = create_evidence_for(enrolments[0])
        database = settings.DATABASES["default"]["NAME"]
    keys = tmp_path_factory.mktemp("signing-keys")
    subprocess.run(
        [sys.executable, "manage.py", "create_signing_key", "--all"],
        cwd=ROOT,
        env=_environment(database, endpoint, keys, 0, keys),
        check=True,
        capture_output=True,
    )
    serves, urls, media = [], [], []
    try:
        for _ in range(2):  # one after the other: each runs migrate and collectstatic first
            app_port, root = free_port(), tmp_path_factory.mktemp("media")
            serves.append(
                subprocess.Popen(
                    [str(ROOT / "bin" / "serve")],
                    cwd=ROOT,
                    start_new_session=True,
                    env=_environment(database, endpoint, root, app_port, keys),
                )
            )
            urls.append(f"http://127.0.0.1:{app_port}")
            media.append(root)
            _wait_for(f"{urls[-1]}/health/")
        yield Instances(urls, media, [e.learner.email for e in enrolments], evidence.pk, bucket)
    finally:
        for serve in serves:
            os.killpg(serve.pid, signal.SIGTERM)
            _stop(serve)
        requests.post(f"{endpoint}/moto-api/reset", timeout=10)
        server.stop()
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


def _wait_for(url: str, *, seconds: float = 300) -> None:
    """Until the server answers: its first request loads every view, which takes a while on a busy machine."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=60)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise AssertionError(f"nothing answered at {url} within {seconds} s")


def signed_in(url: str, email: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{url}/accounts/login/", timeout=30)
    answer = session.post(
        f"{url}/accounts/login/",
        data={
            "username": email,
            "password": DEFAULT_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        timeout=30,
    )
    assert "Sign out" in answer.text, answer.text[:300]
    return session


def files_in(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_file_uploaded_through_one_server_downloads_through_the_other(instances):
    first, second = instances.urls
    session = signed_in(first, instances.learners[0])  # the session is in the database: valid on both
    content = b"%PDF-1.4\n" + os.urandom(9 * 1024 * 1024) + b"\n%%EOF\n"

    answer = session.post(
        first + reverse("portfolio:file_upload", args=[instances.evidence_pk]),
        files={"files": ("notes.pdf", content, "application/pdf")},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "X-Requested-With": "XMLHttpRequest"},
        timeout=120,
    )

    assert answer.status_code == 200, answer.text[:300]
    stored = EvidenceFile.objects.get(evidence_id=instances.evidence_pk)
    download = session.get(second + reverse("portfolio:file_download", args=[stored.pk]), timeout=120)
    assert hashlib.sha256(download.content).hexdigest() == hashlib.sha256(content).hexdigest()
    seek = session.get(
        second + reverse("portfolio:file_view", args=[stored.pk]), headers={"Range": "bytes=-7"}, timeout=30
    )
    assert (seek.status_code, seek.content) == (206, b"\n%%EOF\n")
    head = instances.bucket.head_object(Bucket=BUCKET, Key=stored.file.name)
    assert head["ContentLength"] == len(content)
    assert [files_in(root) for root in instances.media] == [[], []]  # nothing kept on either server's disk


def test_each_export_is_made_by_exactly_one_of_the_two_workers(instances):
    for number, email in enumerate(instances.learners):
        url = instances.urls[number % 2]
        session = signed_in(url, email)
        session.post(
            url + reverse("records:portfolio_exports", args=[_enrolment_of(email)]),
            data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
            timeout=30,
        )

    deadline = time.monotonic() + 120
    while Export.objects.exclude(status__in=[Export.Status.DONE, Export.Status.FAILED]).exists():
        assert time.monotonic() < deadline, "the exports were not made within 2 minutes"
        time.sleep(0.5)

    exports = list(Export.objects.all())
    assert [export.status for export in exports] == [Export.Status.DONE] * LEARNERS
    results = DBTaskResult.objects.filter(pk__in=[export.task_id for export in exports])
    workers = set(Worker.objects.values_list("worker_id", flat=True))
    assert len(workers) == 2
    assert (
        sorted((len(result.worker_ids), result.return_value) for result in results)
        == [(1, "done")] * LEARNERS
    )
    assert {result.worker_ids[0] for result in results} <= workers
    assert all(instances.bucket.head_object(Bucket=BUCKET, Key=export.file.name) for export in exports)
    assert [files_in(root) for root in instances.media] == [[], []]


def _enrolment_of(email: str) -> int:
    return Enrolment.objects.get(learner__email=email).pk
