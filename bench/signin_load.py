"""Benchmark: does signing in starve the site? A trivial page's latency while clients sign in continuously.

Goal: with the production server settings (config/gunicorn.py: gthread workers) and Argon2, the sign-in page's
p95 while 8 clients keep signing in stays within 5 times its p95 on an idle server. The same load against one
thread per worker (what sync workers give) is measured in the same run for comparison, and the cost of one hash
by each hasher is printed beside it.

Run: .venv/bin/python bench/signin_load.py [--signers N] [--samples N]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_signin .venv/bin/python bench/signin_load.py
Without DATABASE_URL it uses a throw-away SQLite file; with it, the database named there (created if missing,
emptied and migrated: never point it at one you keep). Each configuration starts its own gunicorn on a free port.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "a long bench password 7"
GOAL_RATIO = 5.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(database_url: str, port: int, threads: int) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-signin-" + "k" * 50,
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "ENV_FILE": "",
        "SIGNIN_FAILURE_LIMIT": "1000000",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_MAX_REQUESTS": "0",
    }


def prepare(database_url: str, users: int) -> None:
    env = environment(database_url, 0, 1)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "flush", "--noinput"], cwd=ROOT, env=env, check=False, capture_output=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    script = (
        "from accounts.models import User\n"
        f"for i in range({users}):\n"
        f"    User.objects.create_user(f'signer{{i}}@bench.example', {PASSWORD!r}, full_name=f'Signer {{i}}')\n"
    )
    subprocess.run([*manage, "shell", "-c", script], cwd=ROOT, env=env, check=True)


def hash_costs() -> dict[str, float]:
    """Seconds for one hash by each hasher the project lists (new passwords use the first)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.utils.module_loading import import_string

    costs = {}
    for path in settings.PASSWORD_HASHERS[:2]:
        hasher = import_string(path)()
        started = time.perf_counter()
        hasher.encode(PASSWORD, hasher.salt())
        costs[hasher.algorithm] = time.perf_counter() - started
    return costs


def signing_in(url: str, user: int, stop: threading.Event, took: list[float], failed: list[int]) -> None:
    session = requests.Session()
    while not stop.is_set():
        session.cookies.clear()
        session.get(f"{url}/accounts/login/", timeout=60)
        started = time.perf_counter()
        answer = session.post(
            f"{url}/accounts/login/",
            data={
                "username": f"signer{user}@bench.example",
                "password": PASSWORD,
                "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
            },
            timeout=60,
            allow_redirects=False,
        )
        took.append(time.perf_counter() - started)
        if answer.status_code != 302:
            failed.append(answer.status_code)


def page_times(url: str, samples: int) -> list[float]:
    times = []
    with requests.Session() as session:
        for _ in range(samples):
            started = time.perf_counter()
            session.get(f"{url}/accounts/login/", timeout=60)
            times.append(time.perf_counter() - started)
            time.sleep(0.02)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


def measure(database_url: str, threads: int, signers: int, samples: int) -> tuple[float, float, float]:
    """(idle p95, p95 under sign-ins, sign-in p50) in seconds, for gunicorn with `threads` per worker."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.py",
            "config.wsgi",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=environment(database_url, port, threads),
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(f"{url}/accounts/login/", timeout=30)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        idle = page_times(url, samples)
        stop, took, failed = threading.Event(), list[float](), list[int]()
        clients = [
            threading.Thread(target=signing_in, args=(url, i, stop, took, failed), daemon=True)
            for i in range(signers)
        ]
        for client in clients:
            client.start()
        time.sleep(1)
        busy = page_times(url, samples)
        stop.set()
        for client in clients:
            client.join()
        if failed:
            raise SystemExit(f"{len(failed)} of {len(took)} sign-ins failed (HTTP {sorted(set(failed))})")
        return p95(idle), p95(busy), statistics.median(took)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signers", type=int, default=8, help="clients signing in at once (default 8)")
    parser.add_argument("--samples", type=int, default=60, help="page requests timed per phase (default 60)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
        prepare(database_url, args.signers)
        costs = hash_costs()
        print("one hash: " + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in costs.items()))
        print(
            f"{args.signers} clients signing in continuously; sign-in page p95 as a ratio to the idle server's"
        )
        results = {}
        for label, threads in (
            ("gthread 2 workers x 8 threads (config/gunicorn.py)", 8),
            ("2 workers x 1 thread", 1),
        ):
            idle, busy, signin = measure(database_url, threads, args.signers, args.samples)
            results[threads] = busy / idle
            print(
                f"  {label}: idle p95 {idle * 1000:.0f} ms, under sign-ins p95 {busy * 1000:.0f} ms "
                f"(x{busy / idle:.1f}); a sign-in p50 {signin * 1000:.0f} ms"
            )
    verdict = "met" if results[8] <= GOAL_RATIO else "NOT met"
    print(f"goal: x{GOAL_RATIO:.0f} or less with the production settings: {verdict} (x{results[8]:.1f})")


if __name__ == "__main__":
    main()
