"""Exports made in the background: what a cohort is, the queue and the worker, progress, failures with their
reason, and the pages that follow an export to its download."""

import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEntry
from centres.models import Membership
from centres.services.enrolments import update_enrolment
from notifications.models import Notification
from portfolio.models import EvidenceFile
from records import services
from records.models import Export
from records.services import (
    ExportError,
    prune_exports,
    run_export,
    start_cohort_export,
    start_portfolio_export,
)
from records.verification.exports import verify_export
from signing.keys import keyset
from tests.factories import CentreFactory, EnrolmentFactory, member
from tests.notifications.test_notifications_sending import database_queue, run_worker_once  # noqa: F401

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.usefixtures("plain_records")


@pytest.fixture
def centre_admin(unit_in_progress):
    return member(unit_in_progress.centre, Membership.Role.ADMIN, full_name="Dana Price")


def zip_members(export: Export) -> list[str]:
    with export.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        return sorted(archive.namelist())


def learner_files(export: Export) -> list[str]:
    return [name for name in zip_members(export) if name.startswith("learners/")]


# What a cohort is


def test_a_centre_export_holds_every_learner_of_the_centre_and_no_other(
    made, unit, unit_in_progress, centre_admin
):
    neighbour = EnrolmentFactory(centre=unit_in_progress.centre, specifications=[unit])
    EnrolmentFactory(specifications=[unit])  # another centre

    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")

    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert len(learner_files(export)) == 2
    assert any(f"-{neighbour.pk}.zip" in name for name in learner_files(export))


def test_an_assessor_export_holds_only_that_assessors_learners(made, unit, unit_in_progress, centre_admin):
    EnrolmentFactory(centre=unit_in_progress.centre, specifications=[unit])  # another assessor's learner

    export = made(
        start_cohort_export,
        user=centre_admin,
        centre=unit_in_progress.centre,
        scope="assessor",
        assessor=unit_in_progress.assessor,
    )

    export.refresh_from_db()
    assert [name.endswith(f"-{unit_in_progress.pk}.zip") for name in learner_files(export)] == [True]


def test_an_enrolment_group_export_holds_only_that_groups_learners(
    made, unit, unit_in_progress, centre_admin
):
    update_enrolment(enrolment=unit_in_progress, group="Level 5 September 2026")
    EnrolmentFactory(centre=unit_in_progress.centre, specifications=[unit], group="Level 5 January 2027")

    export = made(
        start_cohort_export,
        user=centre_admin,
        centre=unit_in_progress.centre,
        scope="group",
        group="Level 5 September 2026",
    )

    export.refresh_from_db()
    assert [name.endswith(f"-{unit_in_progress.pk}.zip") for name in learner_files(export)] == [True]


def test_a_learner_exports_their_own_portfolio_as_one_learner_zip(made, unit_in_progress):
    export = made(start_portfolio_export, user=unit_in_progress.learner, enrolment=unit_in_progress)

    export.refresh_from_db()
    assert "manifest.json" in zip_members(export)
    assert any(name.startswith("records/") and name.endswith(".pdf") for name in zip_members(export))


def test_a_finished_export_records_its_size_and_sha256_and_verifies(made, unit_in_progress, centre_admin):
    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")

    export.refresh_from_db()
    content = export.file.open("rb").read()
    assert (export.size, export.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert (export.done, export.total) == (1, 1)
    assert verify_export(io.BytesIO(content), keys=keyset()).ok


def test_the_requester_is_told_when_the_export_is_ready(made, unit_in_progress, centre_admin):
    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")

    notification = Notification.objects.get(recipient=centre_admin)
    assert notification.subject == "Your export is ready to download"
    assert notification.url == reverse("records:export", args=[export.pk])


def test_asking_for_an_export_is_audited(made, unit_in_progress, centre_admin):
    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")

    entry = AuditEntry.objects.get(action="export.requested")
    assert entry.summary == f"Export of every learner at {export.centre} requested by Dana Price"


# Refusals


def test_only_a_centre_administrator_exports_a_cohort(unit_in_progress):
    with pytest.raises(ExportError, match="Only the administrators"):
        start_cohort_export(user=unit_in_progress.assessor, centre=unit_in_progress.centre, scope="centre")
    assert not Export.objects.exists()


def test_an_administrator_of_another_centre_cannot_export_this_one(unit_in_progress):
    stranger = member(CentreFactory(), Membership.Role.ADMIN)
    with pytest.raises(ExportError, match="Only the administrators"):
        start_cohort_export(user=stranger, centre=unit_in_progress.centre, scope="centre")


def test_an_assessor_export_needs_an_assessor_of_the_centre(unit_in_progress, centre_admin):
    outsider = member(CentreFactory(), Membership.Role.ASSESSOR, full_name="Olu Stranger")
    with pytest.raises(ExportError, match="Olu Stranger is not an assessor at"):
        start_cohort_export(
            user=centre_admin, centre=unit_in_progress.centre, scope="assessor", assessor=outsider
        )


def test_an_export_with_nobody_in_it_is_refused_and_not_stored(unit_in_progress, centre_admin):
    with pytest.raises(
        ExportError, match="There is nothing to export: no enrolment at .+ is in the group “Nobody”."
    ):
        start_cohort_export(user=centre_admin, centre=unit_in_progress.centre, scope="group", group="Nobody")
    assert not Export.objects.exists()


def test_an_assessor_without_learners_has_nothing_to_export(unit_in_progress, centre_admin):
    idle = member(unit_in_progress.centre, Membership.Role.ASSESSOR, full_name="Idris Idle")
    with pytest.raises(ExportError, match="There is nothing to export: Idris Idle has no learners at"):
        start_cohort_export(
            user=centre_admin, centre=unit_in_progress.centre, scope="assessor", assessor=idle
        )


def test_a_learner_cannot_export_another_learners_portfolio(unit, unit_in_progress):
    neighbour = EnrolmentFactory(centre=unit_in_progress.centre, specifications=[unit])
    with pytest.raises(ExportError):
        start_portfolio_export(user=neighbour.learner, enrolment=unit_in_progress)


# The queue and the worker


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_queue")
def test_an_export_waits_in_the_queue_until_the_worker_makes_it(unit_in_progress, centre_admin):
    with transaction.atomic():
        export = start_cohort_export(user=centre_admin, centre=unit_in_progress.centre, scope="centre")

    export.refresh_from_db()
    queued = DBTaskResult.objects.get(task_path="records.tasks.make_export")
    assert (export.status, queued.status, export.task_id) == (Export.Status.QUEUED, "READY", str(queued.id))

    run_worker_once()

    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert verify_export(export.file.open("rb"), keys=keyset()).ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_queue")
def test_asking_twice_while_an_export_waits_makes_one_export(unit_in_progress, centre_admin):
    first = start_cohort_export(user=centre_admin, centre=unit_in_progress.centre, scope="centre")
    second = start_cohort_export(user=centre_admin, centre=unit_in_progress.centre, scope="centre")

    assert first.pk == second.pk
    assert Export.objects.count() == 1


def test_an_export_is_made_once_even_if_its_task_runs_again(made, unit_in_progress, centre_admin):
    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")

    assert run_export(export.pk) is None
    assert Export.objects.get(pk=export.pk).status == Export.Status.DONE


def test_progress_is_recorded_after_each_learner(made, unit, unit_in_progress, centre_admin, monkeypatch):
    EnrolmentFactory(centre=unit_in_progress.centre, specifications=[unit])
    seen = []
    write = services.write_cohort_export

    def watching(*, enrolments, out, on_progress):
        def report(done, total):
            on_progress(done, total)
            row = Export.objects.get()
            seen.append((row.status, row.done, row.total))

        write(enrolments=enrolments, out=out, on_progress=report)

    monkeypatch.setattr(services, "write_cohort_export", watching)
    made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")

    assert seen == [(Export.Status.RUNNING, 1, 2), (Export.Status.RUNNING, 2, 2)]


def test_a_missing_evidence_file_fails_the_export_with_the_reason(made, unit_in_progress, centre_admin):
    stored = EvidenceFile.objects.filter(evidence__enrolment=unit_in_progress).first()
    stored.file.storage.delete(stored.file.name)

    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")

    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    assert export.error.startswith("A stored evidence file is missing, so the export would be incomplete")
    assert not export.file
    assert Notification.objects.get(recipient=centre_admin).subject == "Your export failed"


# The pages


def test_the_centre_exports_page_starts_an_export_and_leads_to_it(client, unit_in_progress, centre_admin):
    client.force_login(centre_admin)

    response = client.post(
        reverse("records:centre_exports", args=[unit_in_progress.centre_id]),
        {"scope": "assessor", "assessor": unit_in_progress.assessor_id},
    )

    export = Export.objects.get()
    assert (export.scope, export.assessor) == ("assessor", unit_in_progress.assessor)
    assert response["Location"] == reverse("records:export", args=[export.pk])


def test_choosing_an_assessor_export_without_an_assessor_says_what_is_missing(
    client, unit_in_progress, centre_admin
):
    client.force_login(centre_admin)

    response = client.post(
        reverse("records:centre_exports", args=[unit_in_progress.centre_id]), {"scope": "assessor"}
    )

    assert response.status_code == 400
    assert "Choose the assessor whose learners to export." in response.content.decode()
    assert not Export.objects.exists()


def test_the_group_choice_offers_the_centres_enrolment_groups(client, unit, unit_in_progress, centre_admin):
    EnrolmentFactory(centre=unit_in_progress.centre, specifications=[unit], group="Level 5 January 2027")
    EnrolmentFactory(specifications=[unit], group="Another centre's group")
    client.force_login(centre_admin)

    page = client.get(reverse("records:centre_exports", args=[unit_in_progress.centre_id])).content.decode()

    assert "Level 5 January 2027" in page
    assert "Another centre&#x27;s group" not in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_queue")
def test_a_queued_export_page_keeps_asking_for_its_state(client, unit_in_progress, centre_admin):
    export = start_cohort_export(user=centre_admin, centre=unit_in_progress.centre, scope="centre")
    client.force_login(centre_admin)

    page = client.get(reverse("records:export", args=[export.pk]), **HTMX).content.decode()

    assert "Queued" in page
    assert 'hx-trigger="every 2s"' in page


def test_a_running_export_shows_how_far_it_has_got(made, client, unit_in_progress, centre_admin):
    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, done=12, total=30)
    client.force_login(centre_admin)

    page = client.get(reverse("records:export", args=[export.pk]), **HTMX).content.decode()

    assert "12 of 30 portfolios exported (40%)" in page
    assert '<progress value="12" max="30"' in page


def test_a_finished_export_page_offers_the_download_and_stops_asking(
    made, client, unit_in_progress, centre_admin
):
    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")
    client.force_login(centre_admin)

    page = client.get(reverse("records:export", args=[export.pk]), **HTMX).content.decode()

    assert reverse("records:download_export", args=[export.pk]) in page
    assert "hx-trigger" not in page


def test_a_failed_export_page_gives_the_reason(made, client, unit_in_progress, centre_admin):
    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")
    Export.objects.filter(pk=export.pk).update(status=Export.Status.FAILED, error="The disk is full.")
    client.force_login(centre_admin)

    page = client.get(reverse("records:export", args=[export.pk])).content.decode()

    assert "The export failed: The disk is full." in page
    assert reverse("records:download_export", args=[export.pk]) not in page


def test_the_download_is_the_stored_zip_as_an_attachment(made, client, unit_in_progress, centre_admin):
    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")
    client.force_login(centre_admin)

    response = client.get(reverse("records:download_export", args=[export.pk]))

    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert hashlib.sha256(body).hexdigest() == Export.objects.get().sha256


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_queue")
def test_an_unfinished_export_has_nothing_to_download(client, unit_in_progress, centre_admin):
    export = start_cohort_export(user=centre_admin, centre=unit_in_progress.centre, scope="centre")
    client.force_login(centre_admin)

    assert client.get(reverse("records:download_export", args=[export.pk])).status_code == 404


def test_the_centre_exports_page_costs_the_same_queries_for_many_exports(
    made, client, unit_in_progress, centre_admin, django_assert_max_num_queries
):
    client.force_login(centre_admin)
    url = reverse("records:centre_exports", args=[unit_in_progress.centre_id])
    made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    Export.objects.bulk_create(
        Export(centre=unit_in_progress.centre, scope="centre", requested_by=centre_admin, status="done")
        for _ in range(40)
    )

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# Retention


def test_an_export_older_than_the_retention_period_loses_its_file_and_is_marked_expired(
    made, unit_in_progress, centre_admin, settings
):
    settings.EXPORT_RETENTION_DAYS = 30
    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")
    stored = export.file.name

    pruned = prune_exports(now=export.finished_at + datetime.timedelta(days=31))

    export.refresh_from_db()
    assert (pruned, export.status, export.file.name) == (1, Export.Status.EXPIRED, "")
    assert not export.file.storage.exists(stored)


def test_an_export_within_the_retention_period_is_kept(made, unit_in_progress, centre_admin, settings):
    settings.EXPORT_RETENTION_DAYS = 30
    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")

    assert prune_exports(now=export.finished_at + datetime.timedelta(days=29)) == 0
    assert Export.objects.get(pk=export.pk).status == Export.Status.DONE


def test_an_expired_export_page_says_when_its_file_was_removed_and_offers_no_download(
    made, client, unit_in_progress, centre_admin
):
    export = made(start_cohort_export, user=centre_admin, centre=unit_in_progress.centre, scope="centre")
    prune_exports(now=export.finished_at + datetime.timedelta(days=365))
    client.force_login(centre_admin)

    page = client.get(reverse("records:export", args=[export.pk])).content.decode()

    assert "The file was removed on" in page
    assert client.get(reverse("records:download_export", args=[export.pk])).status_code == 404


def test_the_prune_command_says_how_many_files_it_removed(db):
    out = io.StringIO()
    call_command("prune_exports", stdout=out)
    assert out.getvalue() == "0 export file(s) older than 30 days removed.\n"
