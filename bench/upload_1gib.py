"""Benchmark: upload a 1 GiB file through the real upload path; goals: memory growth <= 64 MiB, >= 0.5 of a disk copy.

Run: .venv/bin/python bench/upload_1gib.py [--size-mib 1024]
Starts `manage.py runserver --noreload` on a free 127.0.0.1 port with a throw-away SQLite database, MEDIA_ROOT and
upload temporary directory (all in one temporary directory on the same file system), creates a learner with a
draft piece of evidence, signs in through the sign-in form, and streams the file from disk as one multipart POST
(a generator body with a precomputed Content-Length: the benchmark never holds the file in memory either). It
reads the server process's resident memory from /proc before the upload (VmRSS, after a small warm-up upload) and
its peak after (VmHWM, reset just before the upload; a 20 ms sampler backs it up), then times copying the same file
on the same file system (shutil.copyfile, before and after the upload; the faster counts) and prints both, with
the ratio; a copy with fsync is timed for context (a plain copy of 1 GiB may only reach the page cache, at memory
speed, while the upload has to parse and hash every byte in Python). Everything is removed afterwards.
"""

import argparse
import datetime
import hashlib
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MIB = 1024 * 1024
PASSWORD = "bench-password-not-secret"
EMAIL = "learner@bench.example"
# An MP4 header: the file is "video" to the type sniffer; the rest is incompressible filler.
MP4_HEADER = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
Body = bytes | Iterable[bytes] | None  # a request body: whole, or streamed in pieces


def proc_kib(pid: int, field: str) -> int:
    """A memory figure of /proc/<pid>/status (VmRSS, VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux: write 5 to clear_refs); False if not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def make_file(path: Path, size: int) -> str:
    """Write `size` bytes (MP4 header, then a repeated random MiB) and return their SHA-256."""
    digest = hashlib.sha256()
    block = os.urandom(MIB)
    with path.open("wb") as out:
        first = MP4_HEADER + block[len(MP4_HEADER) :]
        written = 0
        while written < size:
            chunk = (first if written == 0 else block)[: size - written]
            out.write(chunk)
            digest.update(chunk)
            written += len(chunk)
    return digest.hexdigest()


def time_copy(source: Path, target: Path, *, durable: bool = False) -> float:
    """Seconds to copy the file on the same file system, from a clean start (no dirty pages), then tidy up.

    `durable` also waits for the copy to reach the disk (fsync): a figure for context, not the goal's baseline.
    """
    os.sync()
    start = time.perf_counter()
    shutil.copyfile(source, target)
    if durable:
        with target.open("rb") as copy:
            os.fsync(copy.fileno())
    seconds = time.perf_counter() - start
    target.unlink()
    return seconds


def sha256_rate() -> float:
    """MiB/s of hashlib's SHA-256 on this machine, over 256 MiB in memory: a ceiling for any upload path."""
    block = os.urandom(MIB)
    digest = hashlib.sha256()
    start = time.perf_counter()
    for _ in range(256):
        digest.update(block)
    return 256 / (time.perf_counter() - start)


def setup_database(env: dict[str, str]) -> int:
    """Migrate the throw-away database and create a centre, a learner and a draft; return the evidence's pk."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from accounts.models import User
    from centres.models import AssessmentMethod, Enrolment, Membership
    from centres.services.centres import create_centre
    from portfolio.services.evidence import create_evidence

    call_command("migrate", verbosity=0)
    centre = create_centre(name="Bench centre", code="bench")
    learner = User.objects.create_user(email=EMAIL, password=PASSWORD, full_name="Bench Learner")
    Membership.objects.create(centre=centre, user=learner, role=Membership.Role.LEARNER)
    enrolment = Enrolment.objects.create(centre=centre, learner=learner, start_date=datetime.date(2026, 9, 1))
    evidence = create_evidence(
        learner=learner,
        enrolment=enrolment,
        title="Video of a team meeting",
        date=datetime.date(2026, 10, 1),
        method=AssessmentMethod.objects.get(centre=centre, code="OBS"),
    )
    connections.close_all()
    return evidence.pk


class Browser:
    """Just enough of a browser: cookies, and the CSRF token from the sign-in form."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: Body = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers={**(headers or {}), "Cookie": cookie})
        response = connection.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, content

    def sign_in(self) -> None:
        status, page = self.request("GET", "/accounts/login/")
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if found is None:
            raise SystemExit(f"no CSRF token on the sign-in page: {status}")
        token = found.group(1).decode()
        form = f"csrfmiddlewaretoken={token}&username={EMAIL}&password={PASSWORD}"
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            body=form.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"signing in failed: {status}")

    def upload(self, path: str, file: Path, name: str) -> tuple[int, bytes]:
        """POST one file as multipart/form-data, streamed from disk in 1 MiB pieces."""
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        size = file.stat().st_size

        def body() -> Iterator[bytes]:
            yield head
            with file.open("rb") as source:
                while chunk := source.read(MIB):
                    yield chunk
            yield tail

        status, content = self.request(
            "POST",
            path,
            body=body(),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(len(head) + size + len(tail)),
                "X-CSRFToken": self.cookies["csrftoken"],
                "X-Requested-With": "XMLHttpRequest",
            },
        )
        return status, content


@contextmanager
def running_server(scratch: Path, env: dict[str, str]) -> Iterator[tuple[int, int, Path]]:
    """`manage.py runserver` on a free port, up and answering; yields its pid, port and log, and stops it after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = scratch / "server.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(port, server, log)
        yield server.pid, port, log
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_for(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    """Until the server accepts connections; stop with its log if it exits or is not up within a minute."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


class PeakMemory:
    """The server's resident memory before the block and its peak during it: VmHWM when the kernel lets us reset
    it, otherwise (and always, as a check) the highest VmRSS a 20 ms sampler saw."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.baseline_kib = proc_kib(pid, "VmRSS")
        self.exact = reset_peak(pid)
        self.sampled_kib = self.baseline_kib
        self.peak_kib = self.baseline_kib
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "PeakMemory":
        self._sampler.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._sampler.join()
        self.peak_kib = proc_kib(self.pid, "VmHWM") if self.exact else self.sampled_kib

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.sampled_kib = max(self.sampled_kib, proc_kib(self.pid, "VmRSS"))
            time.sleep(0.02)


@dataclass(frozen=True)
class Figures:
    """What one run measured."""

    size_mib: int
    memory: PeakMemory
    upload_seconds: float
    copy_seconds: float  # the faster of a copy before and one after the upload
    durable_seconds: float
    hash_rate: float


def bench_env(scratch: Path, size: int) -> dict[str, str]:
    """The server's settings: everything in `scratch`, and a per-file limit the file fits under."""
    (scratch / "media").mkdir()
    (scratch / "uploading").mkdir()
    return {
        "DATABASE_URL": f"sqlite:///{scratch}/bench.sqlite3",
        "DEBUG": "true",
        "HTTPS": "false",
        "MEDIA_ROOT": str(scratch / "media"),
        "FILE_UPLOAD_TEMP_DIR": str(scratch / "uploading"),
        "EVIDENCE_MAX_UPLOAD_BYTES": str(max(size, 1024**3)),
        "LOG_LEVEL": "WARNING",
    }


def warm_up(browser: Browser, upload_path: str, scratch: Path, log: Path) -> None:
    """A small upload first, so the baseline memory includes what any upload loads once (imports, caches)."""
    (scratch / "warm-up.mp4").write_bytes(MP4_HEADER + os.urandom(64 * 1024))
    status, _ = browser.upload(upload_path, scratch / "warm-up.mp4", "warm-up.mp4")
    if status != 200:
        raise SystemExit(f"the warm-up upload failed: {status}\n{log.read_text()}")


def check_stored(env: dict[str, str], size: int, expected_sha: str) -> None:
    """The newest stored file is the one uploaded, whole, with its type sniffed as video (read through
    `manage.py shell`, with the server's settings)."""
    script = (
        "import json; from portfolio.models import EvidenceFile as F; "
        "f = F.objects.order_by('-pk').values('size', 'sha256', 'content_type', 'file').first(); print(json.dumps(f))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    row = json.loads(result.stdout.strip().splitlines()[-1])
    if (row["size"], row["sha256"], row["content_type"]) != (size, expected_sha, "video/mp4"):
        raise SystemExit(f"the stored file does not match: {row}")


def measure(browser: Browser, pid: int, upload_path: str, source: Path, size_mib: int) -> Figures:
    """Time the upload while watching the server's memory, between two plain copies of the same file."""
    copy_before = time_copy(source, source.with_name("copy.mp4"))
    os.sync()  # no dirty pages from writing the file or the copy slow down the upload
    with PeakMemory(pid) as memory:
        start = time.perf_counter()
        status, content = browser.upload(upload_path, source, "practice video.mp4")
        upload_seconds = time.perf_counter() - start
    if status != 200:
        raise SystemExit(f"the upload failed: {status}\n{content.decode(errors='replace')[:2000]}")
    return Figures(
        size_mib=size_mib,
        memory=memory,
        upload_seconds=upload_seconds,
        copy_seconds=min(copy_before, time_copy(source, source.with_name("copy.mp4"))),
        durable_seconds=time_copy(source, source.with_name("copy.mp4"), durable=True),
        hash_rate=sha256_rate(),
    )


def report(figures: Figures) -> None:
    """Print the figures, each goal with whether it is met, and the context that explains them."""
    memory, size_mib, upload_seconds = figures.memory, figures.size_mib, figures.upload_seconds
    growth_mib = (memory.peak_kib - memory.baseline_kib) / 1024
    sampled_mib = (memory.sampled_kib - memory.baseline_kib) / 1024
    upload_rate, copy_rate = size_mib / upload_seconds, size_mib / figures.copy_seconds
    ratio = upload_rate / copy_rate
    print(
        f"upload of {size_mib} MiB through POST /evidence/<pk>/files/ (runserver, SQLite, local storage)\n"
        f"  server memory: {memory.baseline_kib / 1024:.1f} MiB before, peak growth {growth_mib:.1f} MiB "
        f"({'VmHWM' if memory.exact else 'sampled VmRSS'}; sampled every 20 ms: {sampled_mib:.1f} MiB); "
        f"goal <= 64 MiB: {'meets' if growth_mib <= 64 else 'MISSES'} the goal\n"
        f"  upload: {upload_seconds:.2f} s, {upload_rate:.0f} MiB/s (stored whole, SHA-256 and type checked)\n"
        f"  copy on disk (shutil.copyfile, same file system, faster of two): {figures.copy_seconds:.2f} s, "
        f"{copy_rate:.0f} MiB/s\n"
        f"  ratio upload / copy: {ratio:.2f}; goal >= 0.5: {'meets' if ratio >= 0.5 else 'MISSES'} the goal\n"
        f"  for context, the copy with fsync (on the disk itself): {figures.durable_seconds:.2f} s, "
        f"{size_mib / figures.durable_seconds:.0f} MiB/s; upload / that: "
        f"{figures.durable_seconds / upload_seconds:.2f}\n"
        f"  for context, SHA-256 alone (every byte must be hashed) runs at {figures.hash_rate:.0f} MiB/s here: "
        f"{figures.hash_rate / copy_rate:.2f} of the copy"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="size of the uploaded file (default 1024)")
    args = parser.parse_args()
    size = args.size_mib * MIB

    with tempfile.TemporaryDirectory(prefix="upload-bench-", ignore_cleanup_errors=True) as directory:
        scratch = Path(directory)
        env = bench_env(scratch, size)
        evidence_pk = setup_database(env)
        source = scratch / "practice-video.mp4"
        print(f"writing a {args.size_mib} MiB file …", flush=True)
        expected_sha = make_file(source, size)
        with running_server(scratch, env) as (pid, port, log):
            browser = Browser(port)
            browser.sign_in()
            upload_path = f"/evidence/{evidence_pk}/files/"
            warm_up(browser, upload_path, scratch, log)
            figures = measure(browser, pid, upload_path, source, args.size_mib)
            check_stored(env, size, expected_sha)
        report(figures)


if __name__ == "__main__":
    main()
