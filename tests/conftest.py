from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY

from centres.access import Access
from signin.middleware import NOT_NEEDED
from signin.policy import second_factor_required
from tests.factories.accounts import authenticator_for
from units.services import import_specification_files

SPEC_FIXTURES = Path(django_settings.BASE_DIR) / "fixtures" / "specs"
UNIT_FIXTURE = SPEC_FIXTURES / "L-652-0848.yaml"
STANDARD_FIXTURE = SPEC_FIXTURES / "SCDLMCB2.yaml"
# The seed unit as version 1 was published, before its file stated the observation rule (fixtures/specs holds v2).
UNIT_V1_FIXTURE = Path(__file__).parent / "data" / "specs" / "L-652-0848-v1.yaml"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Serve static files unhashed (tests do not run collectstatic), hash passwords quickly and run background
    tasks at once (a test that needs the real queue overrides TASKS again)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media(settings, tmp_path_factory):
    """Uploads go to a temporary MEDIA_ROOT and spool directory, never into the repository."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path_factory.mktemp("uploading")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    """Audit checkpoints (made after each sign-off that commits) are written to the test's own directory."""
    settings.CHECKPOINT_DIR = tmp_path / "audit-checkpoints"
    return settings.CHECKPOINT_DIR


@pytest.fixture(scope="session", autouse=True)
def signing_key_dir(tmp_path_factory):
    """Signing keys live in one temporary directory for the whole session, never the repository's
    var/signing-keys; a missing centre key is made on demand, as in a development checkout. Session-wide, so that
    module-scoped worlds (the browser sweep's) sign with them too."""
    directory = tmp_path_factory.mktemp("signing-keys")
    with override_settings(
        SIGNING_KEY_DIR=directory, SIGNING_KEYSET=directory / "keys.json", SIGNING_DEVELOPMENT_KEYS=True
    ):
        yield directory


@pytest.fixture
def seed_specifications(db):
    """The RQF unit and the NOS from the seeds, imported from fixtures/specs."""
    outcomes = import_specification_files(paths=[UNIT_FIXTURE, STANDARD_FIXTURE])
    return {outcome.specification.code: outcome.specification for outcome in outcomes}


@pytest.fixture
def unit(seed_specifications):
    return seed_specifications["L/652/0848"]


@pytest.fixture
def standard(seed_specifications):
    return seed_specifications["SCDLMCB2"]


@pytest.fixture(autouse=True)
def second_factor_passed(request, monkeypatch):
    """A session made by `client.force_login(person)` is as after a real sign-in: a person whose role needs a
    second factor has a confirmed authenticator (django-otp's TOTPDevice) and the session names it, exactly what
    passing it records (`signin.middleware.pass_second_factor`); anyone else's session is marked as needing
    none, as after their first page. Pages are then tested as their users see them. Tests of the second factor
    itself, and of a session that has only given a password, are marked `password_only`.
    (docs/security.md, "Tests and load tests")"""
    if request.node.get_closest_marker("password_only"):
        return
    original = Client.force_login

    def force_login(client, user, backend=None):
        original(client, user, backend)
        session = client.session
        if second_factor_required(Access(user)):
            session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
        else:
            session[NOT_NEEDED] = True
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def s3(settings, tmp_path, monkeypatch):
    """A local S3 server (moto) with one bucket, set as the default storage; yields a boto3 client of it."""
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
                "file_overwrite": False,  # as config/settings.py sets it
            },
        },
    }
    yield client
    requests.post(f"{endpoint}/moto-api/reset", timeout=10)  # moto keeps its buckets in the process
    server.stop()
