"""Benchmark: many people at once on gunicorn + PostgreSQL (locust); goal at 50 users: p95 < 300 ms, 0 errors.

Run: .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/load.py [--users 50 200] [--run-time 60]
     [--learners 1000]
It builds (or reuses) the bench centre of bench/centre.py, starts gunicorn with config/gunicorn.py and the
background worker with production settings, then for each number of users:
1. signs that many accounts in at once (one thread each: the password form, then for staff the second-factor
   form with the code their authenticator app shows now), timing each password POST and, meanwhile, a trivial
   signed-in page (bench/server_urls.py) requested every 50 ms by a person already signed in: how long anyone
   waits while the sign-ins hash passwords;
2. runs the scenario of bench/load_scenario.py (the mix is stated there: one IV, one assessor in eight, the rest
   learners; 1-3 s think time) headless for --run-time seconds with those sessions, so no sign-in falls in the
   measured period, and reads locust's CSV statistics.
It prints, per number of users, p50/p95/p99 over every request, the errors, the requests per second, the slowest
kinds of request, and the sign-in figures; the throughput ceiling is the requests per second where adding users no
longer adds throughput (compare the rows: offered load is about users / 2 s). The machine may be shared.
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from centre import PASSWORD, BenchCentre, ensure_centre
from serving import VENV_BIN, Browser, running_server, server_environment, sign_in, stop_on_sigterm
from trivial import TRIVIAL_PATH

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
GOAL_P95_MS = 300


def mix(users: int) -> dict[str, int]:
    """How many of each role (as bench/load_scenario.py's fixed counts make it)."""
    assessors = users // 8
    return {"iv": 1, "assessor": assessors, "learner": users - 1 - assessors}


def accounts(centre: BenchCentre, users: int) -> dict[str, list[dict[str, Any]]]:
    """One account per simulated user with what its tasks open: learners who have a draft piece, assessors with
    work awaiting review, the IV with the plan."""
    from centres.models import Enrolment
    from portfolio.models import Evidence
    from quality.models import Sample

    wanted = mix(users)
    if wanted["assessor"] > len(centre.assessors) or wanted["learner"] > len(centre.learners) // 2:
        raise SystemExit(f"{users} users need a larger centre: give --learners")
    learners = []
    drafts = Evidence.objects.filter(centre_id=centre.centre_id, status=Evidence.Status.DRAFT, number=4)
    for draft in drafts.select_related("learner").order_by("pk")[: wanted["learner"]]:
        pieces = list(Evidence.objects.filter(enrolment_id=draft.enrolment_id).values_list("pk", flat=True))
        learners.append(
            {"email": draft.learner.email, "enrolment": draft.enrolment_id, "unit": centre.unit_id,
             "draft": draft.pk, "evidence": pieces}
        )  # fmt: skip
    assessors = []
    for email in centre.assessors[: wanted["assessor"]]:
        mine = Enrolment.objects.filter(assessor__email=email)
        awaiting = Evidence.objects.filter(enrolment__in=mine, status__in=Evidence.AWAITING_STATUSES)
        assessors.append(
            {"email": email, "awaiting": list(awaiting.values_list("pk", flat=True)[:20]),
             "matrices": [[pk, centre.unit_id] for pk in mine.values_list("pk", flat=True)[:20]]}
        )  # fmt: skip
    samples = Sample.objects.filter(plan_id=centre.plan_id).values_list("pk", flat=True)[:50]
    iv = [{"email": centre.verifiers[0], "plan": centre.plan_id, "samples": list(samples)}]
    return {"iv": iv, "assessor": assessors, "learner": learners}


def sign_in_all(port: int, people: dict[str, list[dict[str, Any]]], watcher: Browser) -> dict[str, float]:
    """Everyone signs in at once (a thread each); the password POSTs' times, and a signed-in person's trivial page
    meanwhile."""
    everyone = [account for group in people.values() for account in group]
    seconds: list[float] = []
    failures: list[str] = []

    def one(account: dict[str, Any]) -> None:
        browser = Browser(port)
        try:
            seconds.append(sign_in(browser, account["email"], PASSWORD).password_seconds)
            account["cookies"] = browser.cookies
        except SystemExit as refusal:
            failures.append(str(refusal))

    threads = [threading.Thread(target=one, args=(account,)) for account in everyone]
    for thread in threads:
        thread.start()
    waits = []
    while any(t.is_alive() for t in threads):
        waits.append(watcher.request("GET", TRIVIAL_PATH).seconds)
        time.sleep(0.05)
    if failures:
        raise SystemExit(f"{len(failures)} sign-ins failed, e.g. {failures[0]}")
    ordered = sorted(seconds)
    return {
        "signins": len(seconds),
        "p50": statistics.median(ordered),
        "p95": ordered[round(0.95 * (len(ordered) - 1))],
        "max": ordered[-1],
        "trivial_max": max(waits, default=0.0),
        "trivial_p50": statistics.median(waits) if waits else 0.0,
    }


def run_locust(port: int, people: dict[str, list[dict[str, Any]]], users: int, run_time: int) -> Path:
    """The scenario, headless, with `people`'s sessions; the prefix of locust's CSV files."""
    sessions = OUT / f"sessions-{users}.json"
    sessions.write_text(json.dumps(people))
    prefix = OUT / f"locust-{users}"
    env = {**os.environ, "BENCH_SESSIONS": str(sessions), "BENCH_USERS": str(users)}
    command = [
        str(VENV_BIN / "locust"), "-f", str(Path(__file__).with_name("load_scenario.py")), "--headless",
        "--host", f"http://127.0.0.1:{port}", "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{run_time}s", "--stop-timeout", "30", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    with (OUT / f"locust-{users}.log").open("wb") as log:
        subprocess.run(command, env=env, check=False, stdout=log, stderr=subprocess.STDOUT)
    sessions.unlink()
    return prefix


def read_stats(prefix: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    with Path(f"{prefix}_stats.csv").open() as stats:
        rows = list(csv.DictReader(stats))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return total, [row for row in rows if row["Name"] != "Aggregated"]


def report(users: int, signin: dict[str, float], total: dict[str, str], kinds: list[dict[str, str]]) -> None:
    p95 = float(total["95%"])
    errors = int(total["Failure Count"])
    verdict = "meets" if p95 < GOAL_P95_MS and errors == 0 else "MISSES"
    print(
        f"\n{users} users ({', '.join(f'{n} {role}' for role, n in mix(users).items())}): "
        f"{int(total['Request Count']):,} requests, {float(total['Requests/s']):.1f}/s, "
        f"p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms, {errors} errors"
    )
    if users == 50:
        print(f"  goal p95 < {GOAL_P95_MS} ms with 0 errors at 50 users: {verdict} the goal")
    slowest = sorted(kinds, key=lambda row: float(row["95%"]), reverse=True)[:5]
    print(
        "  slowest p95: "
        + "; ".join(f"{r['Type']} {r['Name']} {r['95%']} ms ({r['Request Count']})" for r in slowest)
    )
    print(
        f"  before the run, {signin['signins']:.0f} sign-ins at once: password POST p50 {signin['p50'] * 1000:.0f} ms, "
        f"p95 {signin['p95'] * 1000:.0f} ms, slowest {signin['max'] * 1000:.0f} ms; a trivial page meanwhile "
        f"p50 {signin['trivial_p50'] * 1000:.0f} ms, slowest {signin['trivial_max'] * 1000:.0f} ms"
    )


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--run-time", type=int, default=60, help="seconds of the measured period per size")
    parser.add_argument(
        "--learners", type=int, default=1000, help="the bench centre to use (bench/centre.py)"
    )
    args = parser.parse_args()
    if not (VENV_BIN / "locust").exists():
        raise SystemExit("locust is not installed: .venv/bin/pip install -e '.[bench]'")
    centre = ensure_centre(args.learners)
    url = centre.url
    OUT.mkdir(parents=True, exist_ok=True)
    with running_server(server_environment(url)) as port:
        watcher = Browser(port)
        sign_in(watcher, centre.admin, PASSWORD)
        for users in args.users:
            people = accounts(centre, users)
            signin = sign_in_all(port, people, watcher)
            total, kinds = read_stats(run_locust(port, people, users, args.run_time))
            report(users, signin, total, kinds)


if __name__ == "__main__":
    main()
