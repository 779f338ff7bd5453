"""The shape of the code: modules small enough to hold in one's head."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("config", "accounts", "units", "audit", "notifications", "jobs", "centres", "signin", "portfolio",
        "assessments", "quality", "records", "demo", "bench", "signing")  # fmt: skip
MAX_LINES = 400


def test_no_module_outside_tests_and_migrations_is_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
