"""Configuration from the environment: strict in production, friendly on a first run."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, passkey_domain

# The production settings the README documents (Configuration, Production), the database aside.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-for-the-deploy-check-" + "x8Yq2Lm9Pz4Rt7Wc1Vb6Nd3Hf5Gj0Ks" * 2,
    "ALLOWED_HOSTS": "portfolio.example.org",
    "SITE_URL": "https://portfolio.example.org",
    "BEHIND_PROXY": "true",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "HTTPS", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deploy_check_warns_when_site_url_is_not_the_sites_https_address():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **(PRODUCTION | {"SITE_URL": "http://127.0.0.1:8000"})
    )
    assert result.returncode == 1
    assert (
        "(signin.W001) SITE_URL is 'http://127.0.0.1:8000', not the site's https:// address: passkeys would "
        "belong to 'localhost'" in result.stderr
    )


def test_passkeys_belong_to_the_https_sites_domain_or_else_to_localhost():
    assert passkey_domain("https://portfolio.example.org") == (
        "portfolio.example.org",
        ["https://portfolio.example.org"],
    )
    assert passkey_domain("https://example.org:8443/") == ("example.org", ["https://example.org:8443"])
    assert passkey_domain("http://127.0.0.1:8000") == ("localhost", ["http://localhost:8000"])


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_malformed_boolean_names_the_variable():
    result = manage("check", DEBUG="maybe")
    assert result.returncode == 1
    assert "DEBUG must be true or false (1/0, yes/no, on/off), not 'maybe'" in result.stderr


def test_an_export_retention_of_no_days_is_refused():
    result = manage("check", DEBUG="true", EXPORT_RETENTION_DAYS="0")
    assert result.returncode == 1
    assert "EXPORT_RETENTION_DAYS must be at least 1" in result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("Yes", True), ("on", True), ("0", False), ("off", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG") is expected


def test_env_bool_falls_back_to_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("FLAG", raising=False)
    assert env_bool("FLAG", default=True) is True


def test_env_int_rejects_text(monkeypatch):
    monkeypatch.setenv("PORTS", "eighty")
    with pytest.raises(ImproperlyConfigured, match="PORTS must be a whole number, not 'eighty'"):
        env_int("PORTS", 80)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , ,b.example,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_tests_run_on_the_database_that_database_url_names():
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite3"
    assert settings.DATABASES["default"]["ENGINE"] == f"django.db.backends.{expected}"
