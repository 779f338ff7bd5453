"""Centres, the people in them, enrolments and EQA grants; and the cast of people a permission test asks about."""

import datetime
from typing import Any

import factory
from django.utils import timezone

from accounts.models import User
from centres.models import (
    AssessmentMethod,
    Centre,
    EnrolledSpecification,
    Enrolment,
    EQAGrant,
    EQAPageView,
    Membership,
)
from centres.services.centres import create_centre
from centres.services.enrolments import enrolled_on
from tests.factories.accounts import UserFactory
from tests.factories.units import SpecificationFactory, create_specification


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


class AssessmentMethodFactory(factory.django.DjangoModelFactory):
    """A method of the centre's own beside the defaults `create_centre` gives it."""

    class Meta:
        model = AssessmentMethod

    centre = factory.SubFactory(CentreFactory)
    code = factory.Sequence(lambda n: f"M{n}")
    label = factory.Sequence(lambda n: f"Method {n}")
    position = factory.Sequence(lambda n: 100 + n)


def method(centre: Centre, code: str = "RA") -> AssessmentMethod:
    """One of the centre's default methods, by code."""
    return AssessmentMethod.objects.get(centre=centre, code=code)


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
            enrolled_on(obj, specification, position).save()


def enrolment_on_a_unit(**fields: Any) -> Enrolment:
    """An enrolment on a small unit of its own (two outcomes of five criteria), for factories that need lines."""
    spec = create_specification(code=f"T/{Enrolment.objects.count() + 1:03d}/{Centre.objects.count():04d}")
    return EnrolmentFactory(specifications=[spec], **fields)


class EnrolledSpecificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnrolledSpecification

    enrolment = factory.SubFactory(EnrolmentFactory)
    specification = factory.SubFactory(SpecificationFactory)
    position = factory.Sequence(int)


class EQAGrantFactory(factory.django.DjangoModelFactory):
    """A whole-centre grant in force for thirty days either side of today, given by an administrator."""

    class Meta:
        model = EQAGrant

    centre = factory.SubFactory(CentreFactory)
    eqa = factory.LazyAttribute(lambda o: member(o.centre, Membership.Role.EQA))
    whole_centre = True
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    granted_by = factory.LazyAttribute(lambda o: member(o.centre, Membership.Role.ADMIN))


class EQAPageViewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EQAPageView

    grant = factory.SubFactory(EQAGrantFactory)
    path = "/"


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
    grant = EQAGrantFactory(
        centre=centre,
        eqa=eqa,
        whole_centre=whole_centre,
        starts_on=today + datetime.timedelta(days=days[0]),
        ends_on=today + datetime.timedelta(days=days[1]),
        granted_by=granted_by,
    )
    grant.enrolments.set(enrolments)
    return eqa


# Everyone a permission test asks about: see `people_around`. Matrices of answers are dicts keyed by these names.
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
