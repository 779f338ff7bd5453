"""Demo data for a first run: the seed specifications, a demo centre with its people, and a learner's portfolio."""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from centres.models import Centre, Enrolment, Membership
from centres.services.centres import create_centre
from centres.services.enrolments import enrol
from centres.services.eqa import grant_eqa_access
from portfolio.services import files
from portfolio.services.evidence import create_evidence, submit_evidence
from portfolio.services.mappings import add_mapping
from portfolio.uploads import CheckedUpload, check_file
from units.models import Criterion, RangeItem, Specification
from units.services import ImportOutcome, import_specification_files

SEED_SPECIFICATIONS = sorted((settings.BASE_DIR / "fixtures" / "specs").glob("*.yaml"))
DEMO_FILES = settings.BASE_DIR / "fixtures" / "demo"
Role = Membership.Role


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    full_name: str
    centre_role: str


DEMO_ACCOUNTS = (
    DemoAccount("learner", "learner@demo.example", "Lee Learner", Role.LEARNER),
    DemoAccount("assessor", "assessor@demo.example", "Ava Assessor", Role.ASSESSOR),
    DemoAccount("internal verifier", "iv@demo.example", "Ivan Verifier", Role.INTERNAL_VERIFIER),
    DemoAccount("centre administrator", "admin@demo.example", "Dana Admin", Role.ADMIN),
    DemoAccount("external QA (read-only)", "eqa@demo.example", "Erin Quality", Role.EQA),
)
DEMO_CENTRE = {"name": "Demo Care Academy", "code": "demo"}


def load_demo(*, password: str, specification_paths: list[Path] = SEED_SPECIFICATIONS) -> list[ImportOutcome]:
    """Import the seed specifications and set up the demo centre once; later runs only reset passwords."""
    with transaction.atomic():
        outcomes = import_specification_files(paths=specification_paths)
        people = {account.centre_role: _person(account, password) for account in DEMO_ACCOUNTS}
        if not Centre.objects.filter(code=DEMO_CENTRE["code"]).exists():
            _create_centre(people, [outcome.specification for outcome in outcomes])
    return outcomes


def _person(account: DemoAccount, password: str) -> User:
    """The demo account, made on the first run; every run sets its password to the one given. A centre
    administrator is never a superuser nor staff (the Django admin is the site operator's), even one made by an
    older demo."""
    user, _ = User.objects.get_or_create(email=account.email, defaults={"full_name": account.full_name})
    user.set_password(password)
    user.is_staff = user.is_superuser = False
    user.save(update_fields=["password", "is_staff", "is_superuser"])
    if account.centre_role != Role.LEARNER:
        demo_authenticator(user)
    return user


def demo_authenticator(user: User) -> TOTPDevice:
    """The demo staff's authenticator (their role needs a second factor), kept across runs so that an app that
    holds its key goes on working; `manage.py demo_code` prints its current code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator shows now (django-otp's own TOTP arithmetic)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _grant_demo_eqa(centre: Centre, people: dict[str, User]) -> None:
    """The demo EQA reads the whole centre for the current academic year (1 September to 31 August)."""
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    grant_eqa_access(
        centre=centre,
        eqa=people[Role.EQA],
        by=people[Role.ADMIN],
        starts_on=datetime.date(year, 9, 1),
        ends_on=datetime.date(year + 1, 8, 31),
        whole_centre=True,
        enrolments=[],
    )


def _create_centre(people: dict[str, User], specifications: list[Specification]) -> Enrolment:
    """The demo centre: its people, the EQA's grant, and the learner's enrolment with evidence to look at."""
    centre = create_centre(**DEMO_CENTRE)
    Membership.objects.bulk_create(
        Membership(centre=centre, user=user, role=role) for role, user in people.items()
    )
    learner = people[Role.LEARNER]
    enrolment = enrol(
        centre=centre,
        learner=learner,
        specifications=sorted(specifications, key=lambda spec: spec.kind != Specification.Kind.UNIT),
        start_date=datetime.date(2026, 9, 1),
        assessor=people[Role.ASSESSOR],
        internal_verifier=people[Role.INTERNAL_VERIFIER],
        group="Level 5 September 2026",
    )
    _grant_demo_eqa(centre, people)
    unit, standard = (
        spec for spec in sorted(specifications, key=lambda spec: spec.kind != Specification.Kind.UNIT)
    )
    methods = {method.code: method for method in centre.methods.all()}

    def criterion(specification: Specification, ref: str) -> Criterion:
        return Criterion.objects.get(specification=specification, ref=ref)

    account = create_evidence(
        learner=learner,
        enrolment=enrolment,
        title="Reflective account: introducing strengths-based reviews",
        date=datetime.date(2026, 10, 6),
        method=methods["RA"],
        narrative=(
            "I introduced strengths-based care reviews in the service. I explain how the approach differs from "
            "deficit-based assessment and how the team now records what matters to each individual."
        ),
        assessment_site="Riverside supported living service",
    )
    files.add_files(user=learner, evidence=account, uploads=[_upload("reflective-account.pdf")])
    add_mapping(
        user=learner,
        evidence=account,
        criterion=criterion(unit, "1.1"),
        range_item=RangeItem.objects.get(criterion__specification=unit, criterion__ref="1.1", ref="a"),
    )
    for ref in ("P6", "K14"):
        add_mapping(user=learner, evidence=account, criterion=criterion(standard, ref))
    submit_evidence(user=learner, evidence=account, declaration=True)

    testimony = create_evidence(
        learner=learner,
        enrolment=enrolment,
        title="Witness testimony: care plan review meeting",
        date=datetime.date(2026, 10, 20),
        method=methods["WT"],
        narrative="My line manager observed me chair a review with an individual and their family.",
        witness_name="Sam Patel",
        witness_role="Registered manager",
        witness_relationship="Line manager",
        assessment_site="Riverside supported living service",
    )
    files.add_files(user=learner, evidence=testimony, uploads=[_upload("anonymised-care-plan.png")])
    add_mapping(user=learner, evidence=testimony, criterion=criterion(unit, "3.4"))
    add_mapping(user=learner, evidence=testimony, criterion=criterion(standard, "P8"))

    create_evidence(
        learner=learner,
        enrolment=enrolment,
        title="Notes for a professional discussion on positive risk-taking",
        date=datetime.date(2026, 11, 2),
        method=methods["PD"],
        narrative="Points to discuss with my assessor about balancing risks and rights.",
    )
    return enrolment


def _upload(name: str) -> CheckedUpload:
    """A demo file, checked as a learner's upload is."""
    with (DEMO_FILES / name).open("rb") as source:
        return check_file(source, name=name)
