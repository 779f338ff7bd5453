"""Every action the code records has words on screen: a history never shows a raw code such as iqa.sample_moved."""

import re
from pathlib import Path

from django.conf import settings

from audit.models import ACTIONS, AuditEntry
from portfolio.services import status

APPS = [app for app in settings.INSTALLED_APPS if (Path(settings.BASE_DIR) / app).is_dir()]  # the project's


def recorded_codes() -> set[str]:
    """The codes passed to `record(action=...)` anywhere in the apps, and the evidence status transitions'."""
    codes = {value.action for value in vars(status).values() if isinstance(value, status.Transition)}
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "migrations" not in path.parts:
                codes |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    return codes


def test_every_recorded_action_has_a_label():
    assert len(recorded_codes()) > 25
    assert sorted(recorded_codes() - ACTIONS.keys()) == []


def test_the_history_shows_the_label_of_a_moved_sample():
    assert AuditEntry(action="iqa.sample_moved").action_label == "Sample moved in the plan"
