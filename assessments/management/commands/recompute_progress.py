from itertools import batched
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.services.progress import refresh_progress, stale_progress
from centres.models import Enrolment

BATCH = 200  # enrolments recomputed in one transaction


class Command(BaseCommand):
    help = (
        "Recompute the stored progress figures (lines, lines with evidence, lines met) of every enrolled "
        "specification from the judgements, as after loading data in bulk. With --check, change nothing: list "
        "each figure that differs and exit non-zero if any does."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="report differences without storing anything"
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        ids = list(Enrolment.objects.order_by("pk").values_list("pk", flat=True))
        if check:
            self._check(ids)
            return
        changed = sum(refresh_progress(enrolment_ids=batch) for batch in batched(ids, BATCH))
        self.stdout.write(
            self.style.SUCCESS(
                f"progress recomputed for {len(ids)} enrolments: {changed} figure(s) corrected"
            )
        )

    def _check(self, ids: list[int]) -> None:
        stale = [found for batch in batched(ids, BATCH) for found in stale_progress(enrolment_ids=batch)]
        for enrolled, (lines, evidenced, met) in stale:
            self.stderr.write(
                f"enrolment {enrolled.enrolment_id} ({enrolled.enrolment.learner.full_name}), "
                f"{enrolled.specification.code}: stored {enrolled.met} of {enrolled.lines} met, "
                f"{enrolled.evidenced} with evidence; the judgements say {met} of {lines} met, {evidenced} with "
                "evidence"
            )
        if stale:
            raise CommandError(f"{len(stale)} stored progress figure(s) differ: run recompute_progress")
        self.stdout.write(
            self.style.SUCCESS(f"progress figures of {len(ids)} enrolments match the judgements")
        )
