"""A development checkout's `.env` (bin/start writes it): every README command works with it, variables set in
the environment win, and a missing or malformed setting is one line, never a traceback. Production refuses
development values."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.config.test_settings import manage


def manage_env() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "SECRET_KEY"}
    }


def write_env(tmp_path, text: str):
    path = tmp_path / "development.env"
    path.write_text(text)
    return str(path)


@pytest.fixture
def development_env(tmp_path):
    """The .env bin/start writes, made by the same shell function."""
    path = tmp_path / ".env"
    subprocess.run(
        ["bash", "-c", f'source bin/_bootstrap.sh && write_development_env "{path}" http://127.0.0.1:8000'],
        cwd=settings.BASE_DIR,
        check=True,
        capture_output=True,
    )
    return path


def test_bin_start_writes_a_development_env_with_a_key_of_its_own(development_env, tmp_path):
    values = dict(line.split("=", 1) for line in development_env.read_text().splitlines() if "=" in line)
    assert values["DEBUG"] == "true"
    assert values["SECRET_KEY"].startswith("development-only-")
    assert len(values["SECRET_KEY"]) > 60
    assert values["SITE_URL"] == "http://127.0.0.1:8000"


def test_a_readme_command_works_with_the_development_env_alone(development_env):
    result = manage("export_spec", "--help", ENV_FILE=str(development_env))
    assert result.returncode == 0, result.stderr


def test_the_environment_wins_over_the_env_file(tmp_path):
    result = manage("check", ENV_FILE=write_env(tmp_path, "DEBUG=true\n"), DEBUG="false", SECRET_KEY="")
    assert result.returncode == 1
    assert result.stderr == (
        "manage.py: configuration error: SECRET_KEY must be set when DEBUG is off (see README, Configuration)\n"
    )


def test_a_malformed_env_file_is_one_line_naming_the_line(tmp_path):
    path = write_env(tmp_path, "DEBUG=true\nthis is not a setting\n")
    result = manage("check", ENV_FILE=path)
    assert result.returncode == 1
    assert result.stderr == f"manage.py: configuration error: {path}, line 2: write NAME=value\n"


def test_a_missing_setting_is_one_line_without_a_traceback():
    result = manage("check", DEBUG="false", SECRET_KEY="", ENV_FILE="")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_the_wsgi_application_says_what_is_missing_in_one_line():
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=settings.BASE_DIR,
        env={**manage_env(), "DEBUG": "false", "SECRET_KEY": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (
        1,
        "config.wsgi: configuration error: SECRET_KEY must be set when DEBUG is off (see README, Configuration)\n",
    )


def test_production_refuses_a_development_secret_key(development_env):
    key = next(line for line in development_env.read_text().splitlines() if line.startswith("SECRET_KEY="))
    result = manage("check", DEBUG="false", SECRET_KEY=key.split("=", 1)[1], ENV_FILE="")
    assert result.returncode == 1
    assert result.stderr == (
        "manage.py: configuration error: SECRET_KEY is a development value (made by bin/start for this checkout): "
        "with DEBUG off, set a secret of your own (see README, Production)\n"
    )
