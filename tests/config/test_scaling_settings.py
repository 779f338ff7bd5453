"""Settings for many users and many instances (#15): persistent, health-checked database connections in
production; pages compressed (files and secret-bearing pages not); Argon2 for passwords."""

import gzip
import io

import pytest
from django.urls import reverse

from portfolio.services import files
from portfolio.uploads import check_file
from tests.config.test_settings import PRODUCTION, manage
from tests.factories import EnrolmentFactory, create_evidence_for
from tests.samples import PDF

PRINT_DATABASE = (
    "shell",
    "--no-imports",
    "-c",
    "from django.conf import settings; d = settings.DATABASES['default']; "
    "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
)


@pytest.mark.parametrize(
    ("env", "printed"),
    [
        (PRODUCTION, "60 True"),  # a connection kept a minute per thread, checked before reuse
        ({**PRODUCTION, "DATABASE_CONN_MAX_AGE": "0"}, "0 True"),
        ({"DEBUG": "true"}, "0 True"),  # the development server's thread per request would leak them
    ],
    ids=["production", "set", "development"],
)
def test_database_connections_persist_in_production_and_are_health_checked(env, printed):
    result = manage(*PRINT_DATABASE, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == printed


@pytest.fixture
def learner(client, db):
    enrolment = EnrolmentFactory()
    client.force_login(enrolment.learner)
    return client, enrolment


def test_a_page_is_compressed_for_a_browser_that_accepts_gzip(learner):
    client, _ = learner

    response = client.get(reverse("assessments:home"), headers={"Accept-Encoding": "gzip"})

    assert (response.status_code, response["Content-Encoding"]) == (200, "gzip")
    assert b"</html>" in gzip.decompress(response.content)
    assert "Accept-Encoding" in response["Vary"]


def test_a_page_is_not_compressed_for_a_client_that_does_not_ask(learner):
    client, _ = learner

    response = client.get(reverse("assessments:home"))

    assert not response.has_header("Content-Encoding")


def test_a_file_is_never_compressed_so_its_byte_ranges_stay_true(learner):
    client, enrolment = learner
    evidence = create_evidence_for(enrolment)
    with check_file(io.BytesIO(PDF), name="plan.pdf") as upload:
        stored = files.add_file(user=enrolment.learner, evidence=evidence, upload=upload).evidence_file

    response = client.get(
        reverse("portfolio:file_view", args=[stored.pk]), headers={"Accept-Encoding": "gzip"}
    )

    assert not response.has_header("Content-Encoding")
    assert b"".join(response.streaming_content) == PDF


def test_the_second_factor_pages_that_show_secrets_are_never_compressed(learner):
    """BREACH: a page holding a fixed secret (a TOTP key being set up) is not compressed at all."""
    client, _ = learner

    response = client.get(reverse("signin:set_up"), headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")


def test_the_csrf_token_differs_in_every_compressed_page(learner):
    """The other half of the BREACH answer: the one secret in ordinary pages is masked afresh each time."""
    client, enrolment = learner
    url = reverse("portfolio:evidence_create", args=[enrolment.pk])

    first, second = (
        gzip.decompress(client.get(url, headers={"Accept-Encoding": "gzip"}).content) for _ in range(2)
    )

    token = b'name="csrfmiddlewaretoken" value="'
    assert token in first
    assert first.split(token)[1][:64] != second.split(token)[1][:64]
