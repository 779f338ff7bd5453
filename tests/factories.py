"""Factories for people, centres, enrolments, evidence and specification documents of any size."""

import datetime
from typing import Any

import factory
from django.utils import timezone

from accounts.models import User
from assessments.models import Judgement
from centres.models import AssessmentMethod, Centre, EnrolledSpecification, Enrolment, EQAGrant, Membership
from centres.services.centres import create_centre
from portfolio.models import Evidence, EvidenceMapping, EvidenceSequence
from portfolio.services.evidence import create_evidence, submit_evidence
from portfolio.services.mappings import add_mapping
from units import spec_format, spec_schema
from units.models import Criterion, Specification
from units.services import import_specification

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


def specification_document(
    *,
    code: str = "T/000/0001",
    version: str = "1",
    groups: int = 2,
    criteria_per_group: int = 5,
    **fields: Any,
) -> dict[str, Any]:
    """A valid, normalised unit document with numbered outcomes, criteria, a range item and indicative content."""
    raw = {
        "format": spec_schema.FORMAT,
        "kind": "unit",
        "code": code,
        "title": f"Test unit {code}",
        "version": version,
        "level": 3,
        "credits": 4,
        "guided_learning_hours": 30,
        "groups": [
            {
                "number": str(g),
                "title": f"Understand topic {g}" if g % 2 else f"Be able to practise topic {g}",
                "kind": "knowledge" if g % 2 else "skill",
                "criteria": [
                    {
                        "ref": f"{g}.{c}",
                        "text": f"Explain point {c} of topic {g}",
                        "range": [{"ref": "a", "text": f"first aspect of {g}.{c}"}],
                        "indicative_content": [{"term": "Point", "text": f"What point {c} means"}],
                    }
                    for c in range(1, criteria_per_group + 1)
                ],
            }
            for g in range(1, groups + 1)
        ],
        **fields,
    }
    return spec_format.normalise(raw)


def create_specification(**kwargs: Any) -> Specification:
    document = specification_document(**kwargs)
    return import_specification(document=document, source="factory").specification


class CentreFactory(factory.django.DjangoModelFactory):
    """A centre with the default assessment methods, as `create_centre` makes it."""

    class Meta:
        model = Centre

    name = factory.Sequence(lambda n: f"Centre {n}")
    code = factory.Sequence(lambda n: f"centre-{n}")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Centre:
        return create_centre(name=kwargs["name"], code=kwargs["code"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    centre = factory.SubFactory(CentreFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.LEARNER


def member(centre: Centre, role: str, **user_fields: Any) -> User:
    """A new person holding one role in a centre."""
    return MembershipFactory(centre=centre, role=role, user=UserFactory(**user_fields)).user


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A learner on the given specifications, with an assessor and an IV, all members of the centre."""

    class Meta:
        model = Enrolment
        skip_postgeneration_save = True

    centre = factory.SubFactory(CentreFactory)
    learner = factory.LazyAttribute(lambda o: member(o.centre, Membership.Role.LEARNER))
    assessor = factory.LazyAttribute(lambda o: member(o.centre, Membership.Role.ASSESSOR))
    internal_verifier = factory.LazyAttribute(lambda o: member(o.centre, Membership.Role.INTERNAL_VERIFIER))
    start_date = factory.LazyFunction(lambda: datetime.date(2026, 9, 1))

    @factory.post_generation
    def specifications(obj, create: bool, extracted: Any, **kwargs: Any) -> None:
        for position, specification in enumerate(extracted or []):
            EnrolledSpecification.objects.create(
                enrolment=obj, specification=specification, position=position
            )


def method(centre: Centre, code: str = "RA") -> AssessmentMethod:
    return AssessmentMethod.objects.get(centre=centre, code=code)


def create_evidence_for(enrolment: Enrolment, **details: Any) -> Evidence:
    """A draft through the real service, so it is numbered as a learner's would be."""
    fields = {
        "title": "Reflective account of a care review",
        "date": datetime.date(2026, 10, 1),
        "method": method(enrolment.centre, details.pop("method_code", "RA")),
        "narrative": "I led the review with the individual and their family.",
        **details,
    }
    return create_evidence(learner=enrolment.learner, enrolment=enrolment, **fields)


def bulk_portfolio(enrolment: Enrolment, *, pieces: int, mappings: int) -> list[Evidence]:
    """A large portfolio in a few queries: `pieces` submitted items and `mappings` spread over the criteria and
    range items, the same number to each piece (E1 to the first lines, E2 to the next, and so on round)."""
    criteria = list(
        Criterion.objects.filter(specification__in=enrolment.specifications.all())
        .prefetch_related("range_items")
        .order_by("specification_id", "position")
    )
    targets = [(c, item) for c in criteria for item in (c.range_items.all() or [None])]
    ra = method(enrolment.centre)
    evidence = Evidence.objects.bulk_create(
        Evidence(
            enrolment=enrolment,
            centre=enrolment.centre,
            learner=enrolment.learner,
            number=number,
            title=f"Evidence {number}",
            date=datetime.date(2026, 10, 1),
            method=ra,
            narrative="Account",
            status=Evidence.Status.SUBMITTED,
        )
        for number in range(1, pieces + 1)
    )
    EvidenceSequence.objects.update_or_create(
        centre=enrolment.centre, learner=enrolment.learner, defaults={"last_number": pieces}
    )
    each = -(-mappings // pieces)  # per piece, rounded up
    pairs = [
        (piece, targets[(each * number + k) % len(targets)])
        for number, piece in enumerate(evidence)
        for k in range(each)
    ]
    EvidenceMapping.objects.bulk_create(
        EvidenceMapping(evidence=e, criterion=c, range_item=item, created_by=enrolment.learner)
        for e, (c, item) in pairs[:mappings]
    )
    return evidence


def judged_met(enrolment: Enrolment) -> list[Judgement]:
    """Every mapping of the enrolment's evidence judged met in round 1 by its assessor, in two queries."""
    now = timezone.now()
    return Judgement.objects.bulk_create(
        Judgement(
            mapping=mapping,
            evidence_id=mapping.evidence_id,
            round=1,
            met=True,
            assessor=enrolment.assessor,
            judged_at=now,
        )
        for mapping in EvidenceMapping.objects.filter(evidence__enrolment=enrolment).order_by("pk")
    )


# Everyone a permission test asks about, in a fixed order: see `people_around`.
ROLES = (
    "learner",
    "other learner",
    "assessor",
    "other assessor",
    "internal verifier",
    "centre admin",
    "eqa",
    "other centre admin",
    "anonymous",
)


def eqa_with_grant(
    centre: Centre,
    *,
    granted_by: User,
    whole_centre: bool = True,
    enrolments: Any = (),
    days: tuple[int, int] = (-30, 30),
    **user_fields: Any,
) -> User:
    """A new EQA of the centre with a grant from `days[0]` to `days[1]` days from today (in force by default)."""
    eqa = member(centre, Membership.Role.EQA, **user_fields)
    today = timezone.localdate()
    grant = EQAGrant.objects.create(
        centre=centre,
        eqa=eqa,
        whole_centre=whole_centre,
        starts_on=today + datetime.timedelta(days=days[0]),
        ends_on=today + datetime.timedelta(days=days[1]),
        granted_by=granted_by,
    )
    grant.enrolments.set(enrolments)
    return eqa


def people_around(enrolment: Enrolment) -> dict[str, User | None]:
    """For an enrolment: its learner, assessor and IV; another learner and assessor of the same centre; the
    centre's administrator and EQA (with a whole-centre grant in force); another centre's administrator; and
    nobody signed in."""
    centre = enrolment.centre
    neighbour = EnrolmentFactory(centre=centre, specifications=list(enrolment.specifications.all()))
    admin = member(centre, Membership.Role.ADMIN)
    return {
        "learner": enrolment.learner,
        "other learner": neighbour.learner,
        "assessor": enrolment.assessor,
        "other assessor": neighbour.assessor,
        "internal verifier": enrolment.internal_verifier,
        "centre admin": admin,
        "eqa": eqa_with_grant(centre, granted_by=admin),
        "other centre admin": member(CentreFactory(), Membership.Role.ADMIN),
        "anonymous": None,
    }


def lines_of(specification: Specification) -> list[tuple[Criterion, Any]]:
    """Every line of a specification's recording form: criteria without range items, and each range item."""
    criteria = Criterion.objects.filter(specification=specification).prefetch_related("range_items")
    return [(c, item) for c in criteria.order_by("position") for item in (c.range_items.all() or [None])]


def submitted_evidence(
    enrolment: Enrolment, targets: list[tuple[Criterion, Any]], **details: Any
) -> Evidence:
    """A learner's evidence mapped to `targets`, declared and submitted, as the learner would."""
    evidence = create_evidence_for(enrolment, **details)
    for criterion, range_item in targets:
        add_mapping(user=enrolment.learner, evidence=evidence, criterion=criterion, range_item=range_item)
    return submit_evidence(user=enrolment.learner, evidence=evidence, declaration=True)
