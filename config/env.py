"""Typed readers for configuration taken from the environment.

Every variable read here is listed in the README; a malformed value stops start-up with a message that names it.
"""

import importlib
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from dotenv.parser import parse_stream

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Values made for a development checkout (bin/start's `.env`, the fixed key when DEBUG is on) start with this, so
# that production can recognise and refuse them.
DEVELOPMENT_PREFIX = "development-only-"


def load_env_file(base_dir: Path) -> None:
    """Read `ENV_FILE` (default `.env` in the checkout) into the environment; a variable set already wins.

    `ENV_FILE=` (empty) reads nothing: the tests do that, so a developer's `.env` never changes what they test.
    """
    name = os.environ.get("ENV_FILE", ".env")
    if not name:
        return
    path = base_dir / name
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as stream:
        for binding in parse_stream(stream):
            if binding.error or (binding.key is not None and binding.value is None):
                line = binding.original.line
                raise ImproperlyConfigured(f"{path}, line {line}: write NAME=value")
            if binding.key is not None and binding.value is not None:
                os.environ.setdefault(binding.key, binding.value)


def refuse_development_value(name: str, value: str, *, debug: bool) -> None:
    """Stop start-up when a production configuration (DEBUG off) uses a value made for development.

    Settings call this for every secret that bin/start makes for a development checkout (SECRET_KEY; signing
    keys likewise): a copied `.env` must never run a public site.
    """
    if not debug and value.startswith(DEVELOPMENT_PREFIX):
        raise ImproperlyConfigured(
            f"{name} is a development value (made by bin/start for this checkout): with DEBUG off, set a "
            f"secret of your own (see README, Production)"
        )


def refuse_development_keys(name: str, path: Path, *, debug: bool) -> None:
    """Stop start-up when a production configuration (DEBUG off) publishes a development signing key.

    Development keys (made by bin/start, or on demand in a DEBUG checkout) sit in a directory a developer may
    copy anywhere: a record signed by one proves nothing, so a public site must never sign or verify with one.
    """
    if debug or not path.is_file():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = data["keys"]
        development = [str(key["key_id"]) for key in keys if key.get("development")]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise ImproperlyConfigured(f"{name} ({path}) is not a key set (see README, Verification)") from None
    if development:
        raise ImproperlyConfigured(
            f"{name} ({path}) holds development signing keys ({', '.join(development)}), made by bin/start for "
            f"a checkout: with DEBUG off, point SIGNING_KEY_DIR at a directory of your own and run "
            f"`python manage.py create_signing_key --all` (see README, Verification)"
        )


def exit_on_bad_settings(program: str) -> None:
    """Load the settings now, so that a missing or malformed one ends the program with one line, not a traceback."""
    try:
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except ImproperlyConfigured as error:
        sys.exit(f"{program}: configuration error: {error}")


def env_url(name: str, default: str) -> str:
    """An absolute http(s) address, as a link a person follows."""
    raw = os.environ.get(name, default).strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(f"{name} must be an http:// or https:// address, not {raw!r}")
    return raw


def passkey_domain(site_url: str) -> tuple[str, list[str]]:
    """The domain passkeys belong to and the origin they may be used from: the site's own when SITE_URL is an
    HTTPS address; otherwise `localhost` on the same port (browsers allow passkeys on plain HTTP only there, never
    on an IP address such as 127.0.0.1)."""
    parts = urlsplit(site_url)
    port = f":{parts.port}" if parts.port else ""
    if parts.scheme == "https" and parts.hostname:
        return parts.hostname, [f"https://{parts.hostname}{port}"]
    return "localhost", [f"http://localhost{port}"]
