"""What bench/pages.py and bench/load.py share: the server they start (gunicorn with config/gunicorn.py and the
background worker, as `bin/serve` runs them, on PostgreSQL) and a browser that signs in through the real forms,
second factor included (the code the person's authenticator app shows now, computed from their device as
docs/security.md, "Tests and load tests", says; never a weaker path)."""

import gzip
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of the bench's server: production settings on `database_url`, plain HTTP."""
    from centre import bench_environment, files_of

    return {
        **os.environ,
        **bench_environment(),
        "DJANGO_SETTINGS_MODULE": "server_settings",
        "DATABASE_URL": database_url,
        **files_of(database_url),
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
        **extra,
    }


@contextmanager
def running_server(env: dict[str, str], *, worker: bool = True) -> Iterator[int]:
    """gunicorn (config/gunicorn.py: its workers and threads, or GUNICORN_* in `env`) on a free port, and the
    background worker; yields the port once the site answers, and stops both afterwards."""
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    commands = [[str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"]]
    if worker:
        commands.append([sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"])
    processes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=(logs / f"server-{port}-{n}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for n, command in enumerate(commands)
    ]
    try:
        _wait_for(port, processes[0])
        yield port
    finally:
        for process in processes:
            process.terminate()  # gunicorn's master stops its workers; the worker finishes its job
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so that a stopped benchmark still stops the servers it started."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (see var/bench/server-{port}-0.log)")
        try:
            status, _ = Browser(port).get("/accounts/login/")
        except OSError:
            status = 0
        if status == 200:
            return
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer on port {port} within a minute")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes  # as sent (gzip if the server compressed it)
    seconds: float

    @property
    def content(self) -> bytes:
        """The body as the browser reads it (decompressed)."""
        return gzip.decompress(self.body) if self.headers.get("content-encoding") == "gzip" else self.body


class Browser:
    """One person's browser: cookies, CSRF tokens from forms, gzip accepted; a new connection per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict[str, str] | None = None) -> Response:
        headers = {"Accept-Encoding": "gzip", "Accept": "text/html,*/*"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - start
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, content, seconds)

    def get(self, path: str) -> tuple[int, bytes]:
        response = self.request("GET", path)
        return response.status, response.content

    def post_form(self, path: str, fields: dict[str, str]) -> Response:
        """GET the form at `path` for its CSRF token, then POST `fields` to it."""
        status, page = self.get(path)
        token = CSRF_INPUT.search(page)
        if status != 200 or token is None:
            raise SystemExit(f"no form at {path} (status {status})")
        return self.request("POST", path, {"csrfmiddlewaretoken": token.group(1).decode(), **fields})


@dataclass
class SignIn:
    """The two steps' times: the password POST (slow by design: the password hasher) and the code POST."""

    password_seconds: float
    code_seconds: float | None


def sign_in(browser: Browser, email: str, password: str) -> SignIn:
    """Sign in through the form and, for staff, the second-factor form with the authenticator's current code."""
    answer = browser.post_form("/accounts/login/", {"username": email, "password": password})
    if answer.status != 302:
        raise SystemExit(f"signing in as {email} failed (status {answer.status})")
    landing = browser.request("GET", answer.headers["location"])  # the home page, or the second factor first
    target = urlsplit(landing.headers.get("location", "")).path
    if landing.status != 302 or not target.startswith("/accounts/second-factor/"):
        return SignIn(answer.seconds, None)
    code = browser.post_form("/accounts/second-factor/", {"code": authenticator_code(email)})
    if code.status != 302:
        raise SystemExit(f"the second factor of {email} was refused (status {code.status})")
    return SignIn(answer.seconds, code.seconds)


def authenticator_code(email: str) -> str:
    """The code `email`'s authenticator app shows now (django-otp's own TOTP arithmetic on their device)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email=email, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if (
        device.last_t >= totp.t()
    ):  # this step's code was used: the next one (django-otp allows one step ahead)
        totp.time += (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"
