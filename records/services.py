"""Exports: asked for in a request, made by the background worker, kept in storage until downloaded.

`start_export` checks and queues; `run_export` (called by the task) writes the ZIP to a temporary file, then
stores it, recording progress on the way and, if anything goes wrong, the reason in words.
"""

import datetime
import logging
import tempfile
from collections.abc import Callable
from functools import partial
from typing import IO, cast

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from audit.services import record
from centres.access import Access
from centres.models import Centre, Enrolment, Membership
from centres.selectors import enrolments_queryset
from jobs.services import reap_stopped_workers
from notifications.services import notify
from records.exports import hash_stream, write_cohort_export, write_learner_export
from records.models import Export
from records.permissions import can_export_cohort, can_export_portfolio

logger = logging.getLogger(__name__)


# What `describe` and the notices read of an export, loaded with it.
DESCRIBED = ("centre", "enrolment__learner", "assessor", "requested_by")


class ExportError(Exception):
    """An export the rules do not allow, or with nothing in it; the message says which."""


def export_enrolments(export: Export) -> QuerySet[Enrolment]:
    """The portfolios an export covers, in learner-name order, whatever their status."""
    enrolments = enrolments_queryset().filter(centre=export.centre)
    if export.scope == Export.Scope.LEARNER:
        # The check constraint gives a learner's export an enrolment; its id, so nothing more is loaded.
        enrolments = enrolments.filter(pk=cast(int, export.enrolment_id))
    elif export.scope == Export.Scope.ASSESSOR:
        enrolments = enrolments.filter(assessor=export.assessor_id)
    elif export.scope == Export.Scope.GROUP:
        enrolments = enrolments.filter(group=export.group)
    return enrolments.order_by("learner__full_name", "pk")


def _learner_enrolment(export: Export) -> Enrolment:
    """The portfolio a learner's export covers: the model's check constraint gives that scope an enrolment,
    which the stubs cannot see."""
    return cast(Enrolment, export.enrolment)


def describe(export: Export) -> str:
    """What an export covers, in words for lists, notifications and the audit trail."""
    if export.scope == Export.Scope.LEARNER:
        return f"the portfolio of {_learner_enrolment(export).learner}"
    if export.scope == Export.Scope.ASSESSOR:
        return f"the learners of {export.assessor}"
    if export.scope == Export.Scope.GROUP:
        return f"enrolment group “{export.group}”"
    return f"every learner at {export.centre}"


def _nobody_in(export: Export) -> str:
    if export.scope == Export.Scope.ASSESSOR:
        return f"{export.assessor} has no learners at {export.centre}."
    if export.scope == Export.Scope.GROUP:
        return f"no enrolment at {export.centre} is in the group “{export.group}”."
    return f"no learner is enrolled at {export.centre} yet."


def start_portfolio_export(*, user: User, enrolment: Enrolment) -> Export:
    """Queue the export of one learner's portfolio (their own copy, or for the centre's records)."""
    if not can_export_portfolio(Access(user), enrolment):
        raise ExportError(
            "Only the learner, their assessor or IV, or a centre administrator exports a portfolio."
        )
    return _start(user=user, centre=enrolment.centre, scope=Export.Scope.LEARNER, enrolment=enrolment)


def start_cohort_export(
    *, user: User, centre: Centre, scope: str, assessor: User | None = None, group: str = ""
) -> Export:
    """Queue the export of a cohort: the centre, one assessor's learners, or an enrolment group."""
    if not can_export_cohort(Access(user), centre):
        raise ExportError(f"Only the administrators of {centre} export a cohort of its learners.")
    group = group.strip()
    if scope == Export.Scope.ASSESSOR:
        if assessor is None:
            raise ExportError("Choose the assessor whose learners to export.")
        if not Membership.objects.filter(
            centre=centre, user=assessor, role=Membership.Role.ASSESSOR
        ).exists():
            raise ExportError(f"{assessor} is not an assessor at {centre}.")
    elif scope == Export.Scope.GROUP:
        if not group:
            raise ExportError("Choose the enrolment group to export.")
    elif scope != Export.Scope.CENTRE:
        raise ExportError(
            f"There is no cohort export of kind {scope!r}: choose the centre, an assessor or a group."
        )
    return _start(user=user, centre=centre, scope=scope, assessor=assessor, group=group)


def _start(*, user: User, centre: Centre, scope: str, **subject: object) -> Export:
    reap_stopped_workers()  # an export whose worker stopped is failed now, so it never stands in for a new one
    with transaction.atomic():
        wanted = {key: value for key, value in subject.items() if value}
        pending = (
            Export.objects.select_for_update()
            .filter(
                centre=centre,
                scope=scope,
                requested_by=user,
                status__in=[Export.Status.QUEUED, Export.Status.RUNNING],
                **wanted,
            )
            .first()
        )
        if pending is not None:  # the same request twice (a double click): one export
            return pending
        export = Export(centre=centre, scope=scope, requested_by=user, **wanted)
        export.total = export_enrolments(export).count()
        if not export.total:
            raise ExportError(f"There is nothing to export: {_nobody_in(export)}")
        export.save()
        record(
            actor=user,
            action="export.requested",
            summary=f"Export of {describe(export)} requested by {user.full_name}",
            subject=export,
            learner=export.enrolment.learner if export.enrolment else None,
            centre=centre,
            after={"scope": scope, "portfolios": export.total},
        )
        transaction.on_commit(partial(_queue, export.pk))
    return export


def _queue(export_id: int) -> None:
    """After commit: hand the export to the worker; if the queue cannot take it, say so on the export."""
    from records.tasks import make_export  # here, not at the top: the tasks module imports this one

    try:
        result = make_export.enqueue(export_id)
    except Exception as error:
        logger.exception("Could not queue export %s", export_id)
        Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
            status=Export.Status.FAILED,
            error=f"The export could not be queued ({type(error).__name__}: {error}). Try again later.",
            finished_at=timezone.now(),
        )
        return
    Export.objects.filter(pk=export_id).update(task_id=str(result.id))


def run_export(export_id: int) -> Export | None:
    """Make the ZIP of a queued export; None if it is not queued (already run, or run by another worker)."""
    claimed = Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
        status=Export.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    export = Export.objects.select_related(*DESCRIBED).get(pk=export_id)
    try:
        _write(export)
    except Exception as error:
        export.status, export.error = Export.Status.FAILED, _reason(error)
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        _tell_requester(export)
        raise
    _tell_requester(export)
    return export


def fail_abandoned_exports(*, task_ids: list[str], reason: str, **kwargs: object) -> None:
    """Answer to `jobs.signals.tasks_abandoned`: exports whose task's worker stopped fail with that reason, and
    their requester is told (within the transaction that failed the tasks)."""
    for export in Export.objects.select_related(*DESCRIBED).filter(
        task_id__in=task_ids, status__in=[Export.Status.QUEUED, Export.Status.RUNNING]
    ):
        export.status, export.error, export.finished_at = Export.Status.FAILED, reason, timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        _tell_requester(export)


def _write(export: Export) -> None:
    enrolments = list(export_enrolments(export))
    Export.objects.filter(pk=export.pk).update(total=len(enrolments), done=0)
    with tempfile.TemporaryFile() as spool:
        if export.scope == Export.Scope.LEARNER:
            write_learner_export(enrolment=enrolments[0], out=spool)
            Export.objects.filter(pk=export.pk).update(done=1)
        else:
            write_cohort_export(enrolments=enrolments, out=spool, on_progress=partial(_progress, export.pk))
        size, digest = _measure(spool)
        export.file.save(export_filename(export), File(spool), save=False)
    export.status, export.size, export.sha256 = Export.Status.DONE, size, digest
    export.done, export.total, export.finished_at = len(enrolments), len(enrolments), timezone.now()
    export.save(update_fields=["status", "size", "sha256", "done", "total", "finished_at", "file"])


def _progress(export_id: int, done: int, total: int) -> None:
    Export.objects.filter(pk=export_id).update(done=done, total=total)


def _measure(spool: IO[bytes]) -> tuple[int, str]:
    spool.seek(0)
    measured = hash_stream(spool)
    spool.seek(0)
    return measured


def export_filename(export: Export) -> str:
    """A name that says what is inside: the centre, who is covered, and when it was made."""
    subjects: dict[str, Callable[[], str]] = {
        Export.Scope.LEARNER: lambda: str(_learner_enrolment(export).learner),
        Export.Scope.ASSESSOR: lambda: f"learners of {export.assessor}",
        Export.Scope.GROUP: lambda: export.group,
        Export.Scope.CENTRE: lambda: "all learners",
    }
    subject = subjects[export.scope]()
    stamp = timezone.localtime(export.requested_at).strftime("%Y%m%d-%H%M")
    return f"{slugify(export.centre.code)}-{slugify(subject)[:60] or 'export'}-{stamp}.zip"


def _reason(error: Exception) -> str:
    """Why an export failed, in words an administrator can act on."""
    if isinstance(error, FileNotFoundError):
        missing = getattr(error, "filename", None) or str(error)
        return f"A stored evidence file is missing, so the export would be incomplete: {missing}."
    if isinstance(error, OSError):
        return f"The export could not be written (is the disk full?): {error.strerror or error}."
    return f"The export failed unexpectedly ({type(error).__name__}: {error}). Tell your administrator."


def _tell_requester(export: Export) -> None:
    url = reverse("records:export", args=[export.pk])
    if export.status == Export.Status.DONE:
        notify(
            recipient=export.requested_by,
            subject="Your export is ready to download",
            message=f"The export of {describe(export)} is ready: {export.total} portfolio(s).",
            url=url,
        )
    else:
        notify(
            recipient=export.requested_by,
            subject="Your export failed",
            message=f"The export of {describe(export)} failed: {export.error}",
            url=url,
        )


def prune_exports(*, now: datetime.datetime | None = None) -> int:
    """Remove the files of exports made more than EXPORT_RETENTION_DAYS ago: they copy whole portfolios, and a
    copy kept for ever outlives its purpose. The export's row stays, marked expired. Returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.EXPORT_RETENTION_DAYS)
    pruned = 0
    for export in Export.objects.filter(status=Export.Status.DONE, finished_at__lt=cutoff):
        if export.file.name:
            export.file.storage.delete(export.file.name)
        Export.objects.filter(pk=export.pk).update(status=Export.Status.EXPIRED, file="", expired_at=now)
        pruned += 1
    return pruned
