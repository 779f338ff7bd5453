"""Actions an internal verifier sets for an assessor: the assessor responds, the IV who set it closes it."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.services import record
from notifications.services import notify
from quality.models import Action, Sample
from quality.services import QualityError


def sample_url(sample: Sample) -> str:
    return reverse("quality:sample_detail", args=[sample.pk])


def respond_to_action(*, assessor: User, action: Action, response: str) -> Action:
    """The action's owner says what they did; the IV then closes it."""
    response = response.strip()
    if not response:
        raise QualityError("Say what you did about the action: the response is kept with it.")
    with transaction.atomic():
        locked = Action.objects.select_for_update(of=("self",)).select_related("sample__enrolment__learner",
            "sample__enrolment__centre", "set_by").get(pk=action.pk)  # fmt: skip
        if assessor.pk != locked.owner_id:
            raise QualityError("Only the person the action was set for responds to it.")
        if locked.status == Action.Status.CLOSED:
            raise QualityError("This action is closed: nothing more to respond.")
        before = {"status": locked.status, "response": locked.response}
        locked.status, locked.response, locked.responded_at = (
            Action.Status.RESPONDED,
            response,
            timezone.now(),
        )
        locked.save(update_fields=["status", "response", "responded_at"])
        record(
            actor=assessor,
            action="iqa.action_responded",
            summary=f"{assessor.full_name} responded to an action due {locked.due_on:%d/%m/%Y}",
            subject=locked,
            learner=locked.sample.enrolment.learner,
            centre=locked.sample.enrolment.centre,
            before=before,
            after={"status": locked.status, "response": response},
        )
        notify(
            recipient=locked.set_by,
            subject=f"{assessor.full_name} responded to an action",
            message=f"“{locked.text}”\n\n{response}",
            url=sample_url(locked.sample),
        )
        return locked


def close_action(*, iv: User, action: Action) -> Action:
    """Only the IV who set an action closes it, once the owner has responded."""
    with transaction.atomic():
        locked = Action.objects.select_for_update(of=("self",)).select_related("sample__enrolment__learner",
            "sample__enrolment__centre", "set_by").get(pk=action.pk)  # fmt: skip
        if iv.pk != locked.set_by_id:
            raise QualityError(f"Only {locked.set_by.full_name}, who set this action, can close it.")
        if locked.status == Action.Status.CLOSED:
            raise QualityError("This action is already closed.")
        if locked.status != Action.Status.RESPONDED:
            raise QualityError("The assessor has not responded yet: an action is closed after the response.")
        locked.status, locked.closed_at = Action.Status.CLOSED, timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        record(
            actor=iv,
            action="iqa.action_closed",
            summary=f"Action for {locked.owner} due {locked.due_on:%d/%m/%Y} closed",
            subject=locked,
            learner=locked.sample.enrolment.learner,
            centre=locked.sample.enrolment.centre,
            before={"status": Action.Status.RESPONDED},
            after={"status": Action.Status.CLOSED},
        )
        notify(
            recipient=locked.owner,
            subject="An internal verification action is closed",
            message=f"{iv.full_name} closed the action “{locked.text}”.",
            url=reverse("quality:my_iqa"),
        )
        return locked
