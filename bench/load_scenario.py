"""The locust scenario bench/load.py runs (it is the locustfile; run it through bench/load.py, which starts the
server, signs every account in beforehand and writes the sessions this file reads).

The mix, one account per simulated user, each waiting 1 to 3 s between tasks (locust's `between(1, 3)`):
- one internal verifier (IVUser): the IQA dashboard 2, the sampling plan 2, a sample 2, adding a sample to the
  plan by hand 1 (weights: how often each task is picked);
- assessors, one in eight users (AssessorUser): the caseload 3, the review screen of a piece awaiting review 3,
  judging it (every line met, saved, the piece stays awaiting review) 1, a learner's criterion matrix 2;
- learners, the rest (LearnerUser): home 3, the evidence list 3, a piece of evidence 2, the criterion matrix 2,
  uploading a 100 KiB PDF to a draft piece 1.
So at 50 users: 1 IV, 6 assessors, 43 learners; at 200: 1, 25, 174.
"""

import json
import os
import random
import re
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, between, task

SESSIONS: dict[str, list[dict[str, Any]]] = json.loads(open(os.environ["BENCH_SESSIONS"]).read())  # noqa: SIM115
USERS = int(os.environ.get("BENCH_USERS", "50"))
VERSION = re.compile(r'name="version" value="(\d+)"')
MET = re.compile(r'name="met-(\d+)"')
UNIT_OPTION = re.compile(r'<option value="(\d+:\d+)"')
CSRF_COOKIE = "csrftoken"


class BenchUser(HttpUser):
    """A person signed in before the run: cookies from the sessions file, one account per simulated user."""

    abstract = True
    wait_time = between(1, 3)
    role = ""

    def on_start(self) -> None:
        self.account = SESSIONS[self.role].pop()
        host = urlsplit(self.host).hostname or ""
        for name, value in self.account["cookies"].items():  # as the server set them: later ones replace them
            self.client.cookies.set(name, value, domain=host, path="/")

    def page(self, path: str, name: str) -> str:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            return str(response.text)

    def post(self, path: str, name: str, **kwargs: Any) -> None:
        headers = {"X-CSRFToken": self.client.cookies.get(CSRF_COOKIE, ""), "Referer": f"{self.host}{path}"}
        with self.client.post(
            path, name=name, headers=headers, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            if response.status_code >= 400:
                response.failure(f"status {response.status_code}")


class IVUser(BenchUser):
    role = "iv"
    fixed_count = 1

    @task(2)
    def dashboard(self) -> None:
        self.page("/iqa/", "IQA dashboard")

    @task(2)
    def plan(self) -> None:
        self.page(f"/iqa/plans/{self.account['plan']}/", "sampling plan")

    @task(2)
    def sample(self) -> None:
        self.page(f"/samples/{random.choice(self.account['samples'])}/", "sample")

    @task(1)
    def add_sample(self) -> None:
        plan = f"/iqa/plans/{self.account['plan']}/"
        units = UNIT_OPTION.findall(self.page(plan, "sampling plan"))
        if units:
            fields = {"unit": random.choice(units), "kind": "interim", "reason": "Load test: by hand."}
            self.post(plan + "samples/", "add a sample", data=fields)


class AssessorUser(BenchUser):
    role = "assessor"
    fixed_count = USERS // 8

    @task(3)
    def caseload(self) -> None:
        self.page("/caseload/", "caseload")

    @task(3)
    def review(self) -> None:
        self.page(f"/evidence/{random.choice(self.account['awaiting'])}/review/", "review screen")

    @task(1)
    def judge(self) -> None:
        path = f"/evidence/{random.choice(self.account['awaiting'])}/review/"
        form = self.page(path, "review screen")
        version = VERSION.search(form)
        if version:
            fields = {f"met-{pk}": "met" for pk in MET.findall(form)}
            self.post(path, "judge (save)", data={"version": version.group(1), "action": "save", **fields})

    @task(2)
    def matrix(self) -> None:
        enrolment, unit = random.choice(self.account["matrices"])
        self.page(f"/enrolments/{enrolment}/specifications/{unit}/matrix/", "criterion matrix")


class LearnerUser(BenchUser):
    role = "learner"

    @task(3)
    def home(self) -> None:
        self.page("/", "home")

    @task(3)
    def evidence_list(self) -> None:
        self.page(f"/enrolments/{self.account['enrolment']}/evidence/", "evidence list")

    @task(2)
    def evidence(self) -> None:
        self.page(f"/evidence/{random.choice(self.account['evidence'])}/", "evidence")

    @task(2)
    def matrix(self) -> None:
        self.page(
            f"/enrolments/{self.account['enrolment']}/specifications/{self.account['unit']}/matrix/", "matrix"
        )

    @task(1)
    def upload(self) -> None:
        content = b"%PDF-1.4\n" + os.urandom(100 * 1024)
        files = {"files": ("account.pdf", content, "application/pdf")}
        self.post(f"/evidence/{self.account['draft']}/files/", "upload a file", files=files)
