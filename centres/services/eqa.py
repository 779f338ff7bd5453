"""External quality assurance grants: an administrator gives an EQA read-only access to chosen portfolios, or the
whole centre, for a period, and may end it. What a grant lets the EQA read is `centres.access`'s to answer."""

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from audit.services import record
from centres.models import Centre, Enrolment, EQAGrant, Membership
from centres.services import CentreError

Role = Membership.Role


class EQAGrantError(CentreError):
    """A grant that cannot be made or ended as asked; the message says why."""


@transaction.atomic
def grant_eqa_access(
    *,
    centre: Centre,
    eqa: User,
    by: User,
    starts_on: datetime.date,
    ends_on: datetime.date,
    whole_centre: bool,
    enrolments: list[Enrolment] | QuerySet[Enrolment],
) -> EQAGrant:
    """Give an EQA of the centre read-only access to chosen portfolios, or the whole centre, for a period."""
    if not Membership.objects.filter(centre=centre, user=by, role=Role.ADMIN).exists():
        raise EQAGrantError("Only an administrator of the centre may grant EQA access.")
    if not Membership.objects.filter(centre=centre, user=eqa, role=Role.EQA).exists():
        raise EQAGrantError(
            f"{eqa} is not an external quality assurer of {centre}: give them that role first."
        )
    if ends_on < starts_on:
        raise EQAGrantError("The access must end on or after the day it starts.")
    enrolments = list(enrolments)
    if any(enrolment.centre_id != centre.pk for enrolment in enrolments):
        raise EQAGrantError("Only portfolios of this centre may be chosen.")
    if whole_centre:
        enrolments = []
    elif not enrolments:
        raise EQAGrantError("Choose at least one portfolio, or the whole centre.")
    grant = EQAGrant.objects.create(
        centre=centre, eqa=eqa, whole_centre=whole_centre, starts_on=starts_on, ends_on=ends_on, granted_by=by
    )
    grant.enrolments.set(enrolments)
    scope = "the whole centre" if whole_centre else f"{len(enrolments)} portfolio(s)"
    record(
        actor=by,
        action="eqa.granted",
        summary=f"EQA access for {eqa} to {scope}, {starts_on:%d/%m/%Y} to {ends_on:%d/%m/%Y}",
        subject=grant,
        centre=centre,
        after={
            "eqa": eqa.pk,
            "whole_centre": whole_centre,
            "enrolments": sorted(e.pk for e in enrolments),
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return grant


@transaction.atomic
def revoke_eqa_access(*, grant: EQAGrant, by: User) -> EQAGrant:
    """End a grant now: its last day becomes yesterday, so from this moment the EQA reads nothing under it."""
    grant = EQAGrant.objects.select_for_update().select_related("centre", "eqa").get(pk=grant.pk)
    if not Membership.objects.filter(centre=grant.centre, user=by, role=Role.ADMIN).exists():
        raise EQAGrantError("Only an administrator of the centre may end EQA access.")
    today = timezone.localdate()
    if grant.ends_on < today:
        raise EQAGrantError("This access has already ended.")
    before = {"starts_on": grant.starts_on.isoformat(), "ends_on": grant.ends_on.isoformat()}
    grant.ends_on = today - datetime.timedelta(days=1)
    grant.starts_on = min(grant.starts_on, grant.ends_on)  # one not yet started ends before it begins
    grant.save(update_fields=["starts_on", "ends_on"])
    record(
        actor=by,
        action="eqa.revoked",
        summary=f"EQA access for {grant.eqa} ended on {today:%d/%m/%Y}",
        subject=grant,
        centre=grant.centre,
        before=before,
        after={"starts_on": grant.starts_on.isoformat(), "ends_on": grant.ends_on.isoformat()},
    )
    return grant
