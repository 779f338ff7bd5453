"""Benchmark: every page of issue 15's table at 1,000 and 10,000 learners, as ratios to a trivial page.

Goal: p95 at most 5 times the trivial page's p95 for every page, at every size; the same query count at both sizes.

Run: .venv/bin/python bench/pages.py [--learners 1000 10000] [--repeat 20] [--rebuild] [--lead-caseload K]
For each size it builds (or reuses) the bench centre of bench/centre.py in its own PostgreSQL database, starts
gunicorn with config/gunicorn.py (2 workers x 8 threads unless GUNICORN_* say otherwise) and the background
worker, with production settings (DEBUG off, whitenoise's manifest, HTTP on 127.0.0.1), and signs the centre's
administrator, first IV, first assessor and first learner in through the sign-in form and, for staff, the
second-factor form with the code their authenticator app shows now (docs/security.md, "Tests and load tests").
A real server, not Django's test client, because the table is about what a browser waits for: gunicorn's
threads, the database connection per request, compression and the response's size all count.

The trivial page (bench/server_urls.py) is a signed-in page that reads nothing but the session: it goes through
every middleware and returns a few bytes. Each round requests, for every page in turn, the trivial page and then
the page, one request at a time, so both see the same machine; p50 and p95 over the rounds are printed as ratios
to the trivial page's. The password POST of the sign-in (slow by design: the password hasher) is reported apart.
Query counts come from the same sessions replayed in this process through Django's test client (its
CaptureQueriesContext), against the same database. The completion record is timed from asking to having the PDF
(polling if the site renders it in the background), and a trivial page is timed while two are being made.
With --compare-connections a second server with DATABASE_CONN_MAX_AGE=0 serves the trivial page in the same rounds.
The machine may be shared and busy: compare the ratios, not the milliseconds.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from centre import CASELOAD, PASSWORD, BenchCentre, ensure_centre
from serving import Browser, Response, running_server, server_environment, sign_in, stop_on_sigterm
from trivial import TRIVIAL_PATH

ROOT = Path(__file__).resolve().parent.parent
GOAL = 5.0
PDF_POLL_SECONDS = 0.25
PDF_WAIT_SECONDS = 120
BUDGET_SECONDS = 90  # a page this slow in total stops being repeated (after MIN_ROUNDS): the run ends today
MIN_ROUNDS = 3


@dataclass
class Page:
    name: str
    who: str  # a key of the sessions: admin, iv, assessor, learner
    path: str
    repeat: int = 0  # 0: --repeat


@dataclass
class Measured:
    name: str
    who: str
    path: str
    status: int
    p50: float
    p95: float
    trivial_p50: float
    trivial_p95: float
    html_kib: float
    wire_kib: float
    encoding: str
    queries: int | None
    samples: int

    @property
    def ratio_p50(self) -> float:
        return self.p50 / self.trivial_p50

    @property
    def ratio_p95(self) -> float:
        return self.p95 / self.trivial_p95


def pages_of(centre: BenchCentre, caseload: int) -> list[Page]:
    """The table's pages, each as the person who opens it."""
    heavy, spec = centre.heavy_enrolment_id, centre.standard_id
    return [
        Page("admin home (every enrolment)", "admin", "/"),
        Page("IV home", "iv", "/"),
        Page(f"caseload ({caseload:,} learners)", "assessor", "/caseload/"),
        Page("IQA plan page", "iv", f"/iqa/plans/{centre.plan_id}/"),
        Page("sample page", "iv", f"/samples/{centre.sample_id}/"),
        Page("IV dashboard", "iv", "/iqa/"),
        Page("centre enrolments", "admin", f"/centres/{centre.centre_id}/enrolments/"),
        Page("centre people", "admin", f"/centres/{centre.centre_id}/people/"),
        Page("evidence list (300 pieces)", "assessor", f"/enrolments/{heavy}/evidence/"),
        Page(
            "criterion matrix (1,000 mappings)",
            "assessor",
            f"/enrolments/{heavy}/specifications/{spec}/matrix/",
        ),
        Page(
            "review screen (40 mappings, 2 rounds)",
            "assessor",
            f"/evidence/{centre.review_evidence_id}/review/",
        ),
        Page("learner home", "learner", "/"),
        Page(
            "completion record PDF (300 pieces)",
            "assessor",
            f"/enrolments/{heavy}/specifications/{spec}/completion-record.pdf",
            repeat=3,
        ),
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def fetch(browser: Browser, path: str) -> Response:
    """GET `path` as a browser would, following redirects; a PDF made in the background is polled until it is
    there, and the whole wait is the time."""
    start = time.perf_counter()
    response = browser.request("GET", path)
    while response.status in (301, 302, 303) or _still_making(path, response):
        if time.perf_counter() - start > PDF_WAIT_SECONDS:
            raise SystemExit(f"{path}: no PDF after {PDF_WAIT_SECONDS} s")
        if response.status in (301, 302, 303):
            location = response.headers["location"]
            if location.startswith(("/accounts/", "http")):
                raise SystemExit(f"{path} sent the session to {location}: not signed in?")
            response = browser.request("GET", location)
        else:
            time.sleep(PDF_POLL_SECONDS)
            response = browser.request("GET", path)
    response.seconds = time.perf_counter() - start
    return response


def _still_making(path: str, response: Response) -> bool:
    """A completion record asked for and not there yet (202, or a page saying it is being made)."""
    pdf = "pdf" in response.headers.get("content-type", "")
    return path.endswith(".pdf") and response.status in (200, 202) and not pdf


def measure(
    pages: list[Page], sessions: dict[str, Browser], *, repeat: int, trivial: dict[str, Browser] | None = None
) -> list[Measured]:
    """`repeat` rounds of (trivial page, page) for every page; the times and sizes of each."""
    times: dict[str, list[float]] = {p.name: [] for p in pages}
    trivial_times: dict[str, list[float]] = {p.name: [] for p in pages}
    last: dict[str, Response] = {}
    for page in pages:  # warm-up: each worker's first request of a page loads templates and code
        for _ in range(2):
            fetch(sessions[page.who], page.path)
    for round_ in range(repeat):
        for page in pages:
            if round_ >= (page.repeat or repeat) or (
                round_ >= MIN_ROUNDS and sum(times[page.name]) > BUDGET_SECONDS
            ):
                continue
            browser = sessions[page.who]
            trivial_times[page.name].append(browser.request("GET", TRIVIAL_PATH).seconds)
            response = fetch(browser, page.path)
            times[page.name].append(response.seconds)
            last[page.name] = response
    return [
        Measured(
            name=page.name,
            who=page.who,
            path=page.path,
            status=last[page.name].status,
            p50=statistics.median(times[page.name]),
            p95=percentile(times[page.name], 0.95),
            trivial_p50=statistics.median(trivial_times[page.name]),
            trivial_p95=percentile(trivial_times[page.name], 0.95),
            html_kib=len(last[page.name].content) / 1024,
            wire_kib=len(last[page.name].body) / 1024,
            encoding=last[page.name].headers.get("content-encoding", "none"),
            queries=None,
            samples=len(times[page.name]),
        )
        for page in pages
    ]


def queries_of(path: str, session: Browser) -> int:
    """The page's queries, replayed in this process with the same session (the second of two requests)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session.cookies[settings.SESSION_COOKIE_NAME]
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return len(queries.captured_queries)


def trivial_while_pdfs(sessions: dict[str, Browser], pdf_path: str, port: int) -> dict[str, float]:
    """The trivial page's p95 and slowest time while two completion records are being made at once."""
    makers = [Browser(port) for _ in range(2)]
    for maker in makers:
        maker.cookies = dict(sessions["assessor"].cookies)
    done = threading.Event()
    pdf_seconds: list[float] = []

    def make(browser: Browser) -> None:
        pdf_seconds.append(fetch(browser, pdf_path).seconds)

    threads = [threading.Thread(target=make, args=(m,)) for m in makers]
    for thread in threads:
        thread.start()
    waits: list[float] = []
    while any(t.is_alive() for t in threads) or not waits:
        waits.append(sessions["admin"].request("GET", TRIVIAL_PATH).seconds)
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    done.set()
    return {
        "p95": percentile(waits, 0.95),
        "max": max(waits),
        "requests": len(waits),
        "pdf": max(pdf_seconds),
    }


def compare_connections(env: dict[str, str], sessions: dict[str, Browser], repeat: int) -> dict[str, float]:
    """The trivial page on a second server with DATABASE_CONN_MAX_AGE=0, in the same rounds as on the first."""
    port = next(iter(sessions.values())).port
    with running_server({**env, "DATABASE_CONN_MAX_AGE": "0"}, worker=False) as other_port:
        mine, fresh = Browser(port), Browser(other_port)
        mine.cookies = fresh.cookies = dict(sessions["admin"].cookies)
        kept, new = [], []
        for _ in range(10):
            fresh.request("GET", TRIVIAL_PATH)
        for _ in range(repeat * 3):
            kept.append(mine.request("GET", TRIVIAL_PATH).seconds)
            new.append(fresh.request("GET", TRIVIAL_PATH).seconds)
    return {"kept_p50": statistics.median(kept), "new_p50": statistics.median(new)}


def one_size(args: argparse.Namespace) -> dict[str, object]:
    """Measure at one size (a process of its own: Django is set up on that size's database)."""
    learners = args.one
    os.environ["DJANGO_SETTINGS_MODULE"] = "server_settings"  # as the server's: the trivial page too
    caseload = args.lead_caseload or CASELOAD
    centre = ensure_centre(learners, rebuild=args.rebuild, lead_caseload=caseload)
    from django.conf import settings

    url = centre.url
    env = server_environment(url)
    people = {
        "admin": centre.admin,
        "iv": centre.verifiers[0],
        "assessor": centre.assessors[0],
        "learner": centre.learners[0],
    }
    with running_server(env) as port:
        sessions = {who: Browser(port) for who in people}
        signins = {who: sign_in(sessions[who], email, PASSWORD) for who, email in people.items()}
        pages = pages_of(centre, caseload)
        measured = measure(pages, sessions, repeat=args.repeat)
        pdfs = trivial_while_pdfs(sessions, pages[-1].path, port)
        connections = compare_connections(env, sessions, args.repeat) if args.compare_connections else {}
        for row in measured:
            row.queries = queries_of(row.path, sessions[row.who])
        trivial_queries = queries_of(TRIVIAL_PATH, sessions["admin"])
        trivial_p50 = statistics.median(r.trivial_p50 for r in measured)
    return {
        "learners": learners,
        "counts": centre.counts,
        "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
        "pages": [asdict(row) for row in measured],
        "signin": {
            who: {"password": s.password_seconds / trivial_p50, "code": (s.code_seconds or 0) / trivial_p50}
            for who, s in signins.items()
        },
        "trivial_p50_ms": trivial_p50 * 1000,
        "trivial_queries": trivial_queries,
        "pdfs": pdfs,
        "connections": connections,
    }


def report(results: list[dict[str, object]]) -> None:
    """The table: a block per size, a line per page."""
    for result in results:
        learners = result["learners"]
        print(f"\n{learners:,} learners ({', '.join(f'{k}: {v:,}' for k, v in result['counts'].items())})")  # type: ignore[attr-defined]
        print(
            f"  trivial page: p50 {result['trivial_p50_ms']:.1f} ms (the unit of every ratio below), "
            f"{result['trivial_queries']} queries; CONN_MAX_AGE {result['conn_max_age']}"
        )
        print(
            f"  {'page':40} {'p50 x':>7} {'p95 x':>7} {'goal':>5} {'queries':>7} {'HTML KiB':>9} {'sent KiB':>9} {'gzip':>5} {'runs':>4}"
        )
        for row in (Measured(**data) for data in result["pages"]):  # type: ignore[attr-defined]
            verdict = "ok" if row.ratio_p95 <= GOAL else "MISS"
            status = "" if row.status == 200 else f"  (status {row.status})"
            print(
                f"  {row.name:40} {row.ratio_p50:7.1f} {row.ratio_p95:7.1f} {verdict:>5} {row.queries!s:>7} "
                f"{row.html_kib:9.1f} {row.wire_kib:9.1f} {row.encoding:>5} {row.samples:>4}{status}"
            )
        signin = result["signin"]
        print(
            "  sign-in, apart (one each, x trivial p50): "
            + "; ".join(
                f"{who} password POST {s['password']:.0f}"
                + (f", code POST {s['code']:.0f}" if s["code"] else "")
                for who, s in signin.items()  # type: ignore[attr-defined]
            )
        )
        pdfs = result["pdfs"]
        print(
            f"  while two completion records were made ({pdfs['pdf']:.1f} s the slower): trivial page p95 "  # type: ignore[index]
            f"{pdfs['p95'] * 1000:.0f} ms, slowest {pdfs['max'] * 1000:.0f} ms over {pdfs['requests']} requests"  # type: ignore[index]
        )
        if connections := result["connections"]:
            print(
                f"  trivial page p50 with a new database connection per request (CONN_MAX_AGE=0) / this server's: "
                f"{connections['new_p50'] / connections['kept_p50']:.2f}"  # type: ignore[index]
            )
    if len(results) > 1:
        first, *others = results
        by_name = {row["name"]: row["queries"] for row in first["pages"]}  # type: ignore[attr-defined]
        differ = [
            f"{row['name']} ({by_name.get(row['name'])} → {row['queries']} at {other['learners']:,})"
            for other in others
            for row in other["pages"]  # type: ignore[attr-defined]
            if row["queries"] != by_name.get(row["name"])
        ]
        print("\nsame query count at every size: " + ("yes" if not differ else "NO: " + "; ".join(differ)))


def main() -> None:
    stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=20, help="rounds per page (the PDF: 3)")
    parser.add_argument("--rebuild", action="store_true", help="build the centres afresh even if they exist")
    parser.add_argument(
        "--lead-caseload", type=int, default=0, help="learners of the first assessor (default 40)"
    )
    parser.add_argument("--compare-connections", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        Path(args.out).write_text(json.dumps(one_size(args)))
        return
    results = []
    for learners in args.learners:
        out = ROOT / "var" / "bench" / f"pages-{learners}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            __file__,
            "--one",
            str(learners),
            "--out",
            str(out),
            "--repeat",
            str(args.repeat),
        ]
        command += ["--lead-caseload", str(args.lead_caseload)]
        command += ["--rebuild"] * args.rebuild + ["--compare-connections"] * args.compare_connections
        subprocess.run(command, check=True)
        results.append(json.loads(out.read_text()))
    report(results)


if __name__ == "__main__":
    main()
