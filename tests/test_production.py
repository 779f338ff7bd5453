"""The production setup on loopback: nginx (deploy/nginx/portfolio-proxy.conf) in front of `bin/serve` (gunicorn
and the background worker) on PostgreSQL. Slow (about 20 s), marked `production`; CI runs it.

It shows what the proxy and the health endpoint are for: a page answers while 20 clients stall mid-body, files go
up and come back down through the proxy, and /health/ turns unhealthy when the worker stops.
"""

import hashlib
import os
import shutil
import signal
import socket
import subprocess
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

from jobs.models import Worker
from portfolio.models import EvidenceFile
from tests.factories import DEFAULT_PASSWORD, create_evidence_for
from tests.factories.centres import enrolment_on_a_unit

ROOT = Path(settings.BASE_DIR)
POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
pytestmark = [
    pytest.mark.production,
    # the test database is set up for this module; its rows are made (and flushed) by `stack`, committed, so
    # that the servers see them
    pytest.mark.django_db,
    pytest.mark.skipif(
        not POSTGRES, reason="the servers share the test database: PostgreSQL (DATABASE_URL) only"
    ),
]
STALL = 20
# What the test process sets for itself and the servers must not inherit.
NOT_INHERITED = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "DEBUG", "HTTPS", "SECRET_KEY"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=20)  # the first request loads every view (WeasyPrint among them)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered at {url} within {seconds} s")


def nginx_conf(prefix: Path, *, port: int, upstream: int) -> str:
    return f"""
daemon off;
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream portfolio_app {{ server 127.0.0.1:{upstream}; keepalive 4; }}
    server {{
        listen 127.0.0.1:{port};
        include {ROOT}/deploy/nginx/portfolio-proxy.conf;
    }}
}}
"""


@dataclass
class Stack:
    url: str
    email: str
    evidence_pk: int


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Stack]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("Debian's nginx is not installed: bin/test installs it, or run apt-get install nginx")
    with django_db_blocker.unblock():
        enrolment = enrolment_on_a_unit()
        evidence = create_evidence_for(enrolment)
        database = settings.DATABASES["default"]["NAME"]
    app_port, proxy_port = free_port(), free_port()
    media, prefix = tmp_path_factory.mktemp("media"), tmp_path_factory.mktemp("nginx")
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(
        DEBUG="false",
        SECRET_KEY="production-test-" + "k" * 50,
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        BEHIND_PROXY="true",
        DATABASE_URL=urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}").geturl(),
        MEDIA_ROOT=str(media),
        ENV_FILE="",
        SKIP_SYSTEM_PACKAGES="1",
        TASKS_BACKEND="database",
        GUNICORN_BIND=f"127.0.0.1:{app_port}",
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="4",
        WORKER_HEARTBEAT_SECONDS="1",
        WORKER_STALE_SECONDS="3",
    )
    serve = subprocess.Popen([str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, start_new_session=True)
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir()
    (prefix / "nginx.conf").write_text(nginx_conf(prefix, port=proxy_port, upstream=app_port))
    proxy = subprocess.Popen(
        [nginx, "-c", str(prefix / "nginx.conf"), "-p", str(prefix)], start_new_session=True
    )
    try:
        wait_for(f"http://127.0.0.1:{app_port}/health/")
        wait_for(f"http://127.0.0.1:{proxy_port}/health/")
        yield Stack(f"http://127.0.0.1:{proxy_port}", enrolment.learner.email, evidence.pk)
    finally:
        _stop(proxy)
        os.killpg(serve.pid, signal.SIGTERM)
        _stop(serve)
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


def signed_in(stack: Stack) -> requests.Session:
    """The learner signs in through the proxy, as in a browser."""
    session = requests.Session()
    session.get(f"{stack.url}/accounts/login/", timeout=10)
    answer = session.post(
        f"{stack.url}/accounts/login/",
        data={
            "username": stack.email,
            "password": DEFAULT_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        timeout=10,
    )
    assert answer.status_code == 200, answer.text[:300]
    assert "Sign out" in answer.text
    return session


def test_a_page_answers_while_twenty_clients_stall_mid_body(stack):
    stalled = []
    for _ in range(STALL):
        client = socket.create_connection(("127.0.0.1", int(urlsplit(stack.url).port or 80)))
        client.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 1000000000\r\n\r\nusername=" + b"x" * 1000
        )
        stalled.append(client)
    try:
        started = time.monotonic()
        answer = requests.get(f"{stack.url}/accounts/login/", timeout=5)
        took = time.monotonic() - started
    finally:
        for client in stalled:
            client.close()
    assert (answer.status_code, "Sign in" in answer.text) == (200, True)
    assert took < 2, f"the sign-in page took {took:.1f} s with {STALL} clients stalled"


def test_an_upload_and_its_download_pass_through_the_proxy(stack):
    session = signed_in(stack)
    content = b"%PDF-1.4\n" + os.urandom(4 * 1024 * 1024) + b"\n%%EOF\n"
    answer = session.post(
        stack.url + reverse("portfolio:file_upload", args=[stack.evidence_pk]),
        files={"files": ("notes.pdf", content, "application/pdf")},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "X-Requested-With": "XMLHttpRequest"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text[:300]
    stored = EvidenceFile.objects.get(evidence_id=stack.evidence_pk)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    download = session.get(stack.url + reverse("portfolio:file_download", args=[stored.pk]), timeout=60)
    assert (download.status_code, download.headers["Cache-Control"]) == (200, "private, no-cache, no-store")
    assert hashlib.sha256(download.content).hexdigest() == stored.sha256


def test_health_is_good_with_a_worker_and_bad_once_the_worker_stops(stack):
    healthy = requests.get(f"{stack.url}/health/", timeout=10)
    assert (healthy.status_code, healthy.json()["healthy"]) == (200, True)
    worker = Worker.objects.get(stopped_at=None)
    os.kill(worker.pid, signal.SIGKILL)
    deadline = time.monotonic() + 15
    while (answer := requests.get(f"{stack.url}/health/", timeout=10)).status_code == 200:
        assert time.monotonic() < deadline, (
            "the health endpoint still says healthy 15 s after the worker stopped"
        )
        time.sleep(0.5)
    assert answer.status_code == 503
    assert answer.json()["checks"] == {
        "database": "ok",
        "storage": "ok",
        "worker": "no background worker seen in the last 3 s: start manage.py db_worker",
    }
