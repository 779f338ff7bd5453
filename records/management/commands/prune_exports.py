from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from records.services import prune_exports


class Command(BaseCommand):
    help = "Remove the files of exports older than EXPORT_RETENTION_DAYS (run it daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        pruned = prune_exports()
        self.stdout.write(
            f"{pruned} export file(s) older than {settings.EXPORT_RETENTION_DAYS} days removed."
        )
