"""What an internal verifier may sample at a centre, read into a `quality.camera.Pool` in a fixed number of
queries."""

import datetime
from collections import defaultdict

from django.utils import timezone

from accounts.models import User
from assessments.models import Judgement, SignOff
from centres.models import Centre, EnrolledSpecification, Enrolment
from portfolio.models import Evidence
from quality.camera import Facts, Pool
from units.models import Group, Specification

NEW_CANDIDATE_DAYS = 92  # "started within the last 3 months"


def _enrolments(
    centre: Centre, internal_verifier: User
) -> tuple[list[Enrolment], dict[int, list[Specification]]]:
    """Active or completed enrolments with an assessor other than the IV, on at least one specification."""
    enrolments = list(
        Enrolment.objects.filter(
            centre=centre,
            status__in=[Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED],
            assessor__isnull=False,
        )
        .exclude(assessor=internal_verifier)
        .exclude(learner=internal_verifier)
        .select_related("learner", "assessor")
        .order_by("pk")
    )
    specifications: dict[int, list[Specification]] = defaultdict(list)
    for enrolled in (
        EnrolledSpecification.objects.filter(enrolment_id__in=[e.pk for e in enrolments])
        .select_related("specification")
        .order_by("enrolment_id", "position", "pk")
    ):
        specifications[enrolled.enrolment_id].append(enrolled.specification)
    return [e for e in enrolments if specifications.get(e.pk)], dict(specifications)


def _judged(
    ids: list[int], internal_verifier: User
) -> tuple[dict[tuple[int, int], dict[int, Facts]], dict[str, str]]:
    """The judged evidence per (enrolment, specification) and group, leaving out any judgement the IV made."""
    judged: dict[tuple[int, int], dict[int, Facts]] = defaultdict(dict)
    method_labels: dict[str, str] = {}
    rows = (
        Judgement.objects.filter(evidence__enrolment_id__in=ids)
        .exclude(assessor=internal_verifier)
        .values_list(
            "evidence__enrolment_id",
            "mapping__criterion__specification_id",
            "mapping__criterion__group_id",
            "evidence__method__code",
            "evidence__method__label",
            "evidence__assessment_site",
        )
        .order_by()
        .distinct()
    )
    for enrolment_id, spec_id, group_id, code, label, site in rows:
        facts = judged[(enrolment_id, spec_id)].setdefault(group_id, Facts())
        facts.methods.add(code)
        method_labels[code] = label
        if site.strip():
            facts.sites.add(site.strip())
    return dict(judged), method_labels


def _stage(
    enrolment: Enrolment,
    specifications: list[Specification],
    signed: set[tuple[int, int]],
    accepted: set[int],
) -> str:
    """New (started in the last three months, or nothing accepted yet), in progress, or complete."""
    recent = timezone.localdate() - datetime.timedelta(days=NEW_CANDIDATE_DAYS)
    if enrolment.status == Enrolment.Status.COMPLETED or all(
        (enrolment.pk, s.pk) in signed for s in specifications
    ):
        return "complete"
    if enrolment.start_date > recent or enrolment.pk not in accepted:
        return "new"
    return "in_progress"


def load_pool(*, centre: Centre, internal_verifier: User) -> Pool:
    """Enrolments an IV may sample, and the judged evidence in them (never the IV's own decisions)."""
    enrolments, specifications = _enrolments(centre, internal_verifier)
    ids = [e.pk for e in enrolments]
    judged, method_labels = _judged(ids, internal_verifier)
    signed = set(
        SignOff.objects.in_force()
        .filter(enrolment_id__in=ids, role=SignOff.Role.ASSESSOR)
        .values_list("enrolment_id", "specification_id")
    )
    accepted = set(
        Evidence.objects.filter(enrolment_id__in=ids, status=Evidence.Status.ACCEPTED)
        .values_list("enrolment_id", flat=True)
        .order_by()
        .distinct()
    )
    group_ids = {g for per_group in judged.values() for g in per_group}
    return Pool(
        enrolments=enrolments,
        specifications=specifications,
        judged=judged,
        signed=signed,
        stages={e.pk: _stage(e, specifications[e.pk], signed, accepted) for e in enrolments},
        groups={g.pk: g for g in Group.objects.filter(pk__in=group_ids).select_related("specification")},
        method_labels=method_labels,
    )
