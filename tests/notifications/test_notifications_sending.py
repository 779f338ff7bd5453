"""Notifications: the in-app row, the e-mail sent by the background task, and what happens when it fails."""

import io
import signal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.tasks.backends.immediate import ImmediateBackend
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import send_notification_email
from portfolio.services.evidence import submit_evidence
from portfolio.services.mappings import add_mapping
from tests.factories import EnrolmentFactory, UserFactory, create_evidence_for, create_specification
from tests.notifications.mailers import BROKEN_MAILERS
from units.models import RangeItem

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def person(db):
    return UserFactory(full_name="Asha Assessor", email="asha@example.org")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://portfolio.example.org"


def notify_person(person, **fields):
    return notify(
        recipient=person,
        subject=fields.get("subject", "E3 submitted by Lee Learner"),
        message=fields.get("message", "Lee Learner submitted E3 Reflective account for assessment."),
        url=fields.get("url", "/evidence/7/"),
    )


def test_the_tests_run_background_tasks_with_the_immediate_backend():
    assert isinstance(send_notification_email.get_backend(), ImmediateBackend)


def test_notify_adds_an_unread_row_and_sends_one_email_with_the_subject_message_and_link(
    person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify_person(person)
        assert mail.outbox == []  # nothing leaves before the change commits

    assert len(callbacks) == 1
    assert Notification.objects.filter(recipient=person, read_at=None).count() == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["asha@example.org"]
    assert email.subject == "E3 submitted by Lee Learner"
    assert "Hello Asha Assessor," in email.body
    assert "Lee Learner submitted E3 Reflective account for assessment." in email.body
    assert "https://portfolio.example.org/evidence/7/\n" in email.body
    assert "All your notifications: https://portfolio.example.org/notifications/" in email.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert notification.email_error == ""


def test_a_notification_without_a_url_is_sent_without_a_link(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify_person(person, url="")
    assert "Open it in the evidence portfolio" not in mail.outbox[0].body


def test_a_subject_on_several_lines_becomes_one_line(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify_person(person, subject="E3 submitted\nby Lee")
    assert notification.subject == "E3 submitted by Lee"
    assert mail.outbox[0].subject == "E3 submitted by Lee"


def test_a_subject_too_long_for_its_column_is_shortened(person):
    notification = notify_person(person, subject="E3 submitted by " + "Lee " * 60)
    assert len(notification.subject) == 200
    assert notification.subject.endswith("Lee…")


@pytest.mark.django_db(transaction=True)
def test_nothing_is_kept_or_sent_when_the_surrounding_change_rolls_back():
    person = UserFactory()

    def change_that_fails():
        with transaction.atomic():
            notify_person(person)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError, match="the change failed"):
        change_that_fails()
    assert Notification.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    "url",
    ["https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere.example", "javascript:alert(1)"],
)
def test_notify_refuses_a_link_to_another_site(person, url):
    with pytest.raises(ValueError, match="a path on this site"):
        notify_person(person, url=url)
    assert Notification.objects.count() == 0


def test_sending_twice_sends_one_email(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify_person(person)
    emailed_at = Notification.objects.get().emailed_at

    result = send_notification_email.enqueue(notification.pk)

    assert result.return_value is False
    assert len(mail.outbox) == 1
    assert Notification.objects.get().emailed_at == emailed_at


def test_a_failing_mail_server_is_recorded_on_the_notification(
    person, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = BROKEN_MAILERS
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify_person(person)  # the request that notified is not broken by the mail server
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert notification.email_error == "ConnectionRefusedError: the mail server refused the connection"


def test_the_task_raises_a_mail_failure_so_the_worker_logs_it(person, settings):
    notification = Notification.objects.create(recipient=person, subject="Feedback on E1")
    settings.MAILERS = BROKEN_MAILERS
    with pytest.raises(ConnectionRefusedError):
        send_notification_email.call(notification.pk)


def test_a_retry_after_a_failure_sends_and_clears_the_error(person, settings):
    notification = Notification.objects.create(recipient=person, subject="Feedback on E1")
    settings.MAILERS = BROKEN_MAILERS
    send_notification_email.enqueue(notification.pk)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

    assert send_notification_email.call(notification.pk) is True

    notification.refresh_from_db()
    assert (len(mail.outbox), notification.email_error) == (1, "")
    assert notification.emailed_at is not None


def test_a_deactivated_account_is_not_emailed(person):
    person.is_active = False
    person.save()
    notification = Notification.objects.create(recipient=person, subject="Feedback on E1")

    assert send_notification_email.call(notification.pk) is False

    notification.refresh_from_db()
    assert mail.outbox == []
    assert notification.email_error == "Not sent: the account is deactivated."


def test_a_notification_deleted_before_its_task_runs_is_skipped(person):
    assert send_notification_email.call(12345) is False
    assert mail.outbox == []


# Submitting evidence tells the assessor


@pytest.fixture
def ready_evidence(db):
    specification = create_specification(code="T/100/0001")
    enrolment = EnrolmentFactory(specifications=[specification])
    evidence = create_evidence_for(enrolment, title="Reflective account of a care review")
    item = RangeItem.objects.filter(criterion__specification=specification).first()
    add_mapping(user=enrolment.learner, evidence=evidence, criterion=item.criterion, range_item=item)
    return evidence


def test_submitting_evidence_notifies_the_assessor_with_a_link_to_it(
    ready_evidence, django_capture_on_commit_callbacks
):
    learner, assessor = ready_evidence.learner, ready_evidence.enrolment.assessor
    with django_capture_on_commit_callbacks(execute=True):
        submit_evidence(user=learner, evidence=ready_evidence, declaration=True)

    notification = Notification.objects.get()
    assert notification.recipient == assessor
    assert notification.subject == f"E1 submitted by {learner.full_name}"
    assert notification.url == reverse("portfolio:evidence_detail", args=[ready_evidence.pk])
    assert [(email.to, email.subject) for email in mail.outbox] == [
        ([assessor.email], f"E1 submitted by {learner.full_name}")
    ]


def test_submitting_evidence_without_an_assessor_notifies_nobody(
    ready_evidence, django_capture_on_commit_callbacks
):
    ready_evidence.enrolment.assessor = None
    ready_evidence.enrolment.save()
    with django_capture_on_commit_callbacks(execute=True):
        submit_evidence(user=ready_evidence.learner, evidence=ready_evidence, declaration=True)
    assert Notification.objects.count() == 0
    assert mail.outbox == []


# The real queue: the database backend and the db_worker command


@pytest.fixture
def database_queue(settings):
    """Tasks go to django-tasks-db's table; the worker's signal handlers are put back afterwards."""
    settings.TASKS = DATABASE_TASKS
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def run_worker_once() -> str:
    out = io.StringIO()
    call_command(
        "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", stdout=out, stderr=out
    )
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_queue")
def test_a_queued_email_waits_for_the_worker_and_the_worker_sends_it():
    person = UserFactory(email="queued@example.org")
    with transaction.atomic():
        notification = notify_person(person)

    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.status, queued.args_kwargs["args"]) == (
        "notifications.tasks.send_notification_email",
        "READY",
        [notification.pk],
    )
    assert mail.outbox == []

    run_worker_once()

    queued.refresh_from_db()
    notification.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert [email.to for email in mail.outbox] == [["queued@example.org"]]
    assert notification.emailed_at is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_queue")
def test_the_worker_marks_the_task_failed_when_the_mail_server_refuses(settings):
    notification = notify_person(UserFactory())
    settings.MAILERS = BROKEN_MAILERS

    run_worker_once()

    queued = DBTaskResult.objects.get()
    notification.refresh_from_db()
    assert queued.status == "FAILED"
    assert queued.exception_class_path == "builtins.ConnectionRefusedError"
    assert notification.email_error == "ConnectionRefusedError: the mail server refused the connection"
