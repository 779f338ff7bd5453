"""One centre in the middle of a year, built once for the every-page sweep: people in every role, a learner's
portfolio at every stage (a draft; submitted; accepted then reopened by the IV; an accepted observation), a second
learner signed off with a summative sample agreed, a sampling plan with a disagreement, an open action and an
undecided sample, notifications, exports and an EQA's page-view log. Names are fixed, so the sweep can expect
each page's title."""

import datetime
import io
from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from assessments.services.observations import record_observation
from centres.models import Enrolment, EQAGrant, Membership
from centres.services.enrolments import enrol
from centres.services.people import register_person
from portfolio.services import files
from portfolio.services.mappings import add_mapping
from portfolio.uploads import check_file
from quality.models import Action, Sample
from quality.services.plans import generate_plan
from records.models import Export
from tests.conftest import STANDARD_FIXTURE, UNIT_FIXTURE
from tests.factories import (
    CentreFactory,
    create_evidence_for,
    create_specification,
    eqa_with_grant,
    lines_of,
    member,
)
from tests.factories.accounts import PasskeyFactory
from tests.factories.centres import EQAPageViewFactory
from tests.factories.notifications import NotificationFactory
from tests.factories.records import ExportFactory
from tests.quality.test_iqa_samples import decide, make_sample, signed_unit
from tests.records.conftest import documented_evidence, judged_met_and_accepted
from tests.samples import HEIC, PDF, PNG
from units.services import import_specification_files

Role = Membership.Role
CENTRE = "Riverside Care Academy"
LEARNER = "Amara Okafor"
SIGNED_LEARNER = "Ben Carter"
ASSESSOR = "Brendan Walsh"
IV = "Catherine Lloyd"
ADMIN = "Dana Price"
EQA = "Erin Quinn"
INVITEE = "Femi Adeyemi"


@dataclass(frozen=True)
class World:
    """Primary keys of what the pages show, and the e-mail address each role signs in with."""

    ids: dict[str, int | str]
    emails: dict[str, str]


def build_world() -> World:
    unit, standard = (
        outcome.specification
        for outcome in import_specification_files(paths=[UNIT_FIXTURE, STANDARD_FIXTURE])
    )
    centre = CentreFactory(name=CENTRE, code="riverside")
    people = {
        "learner": member(centre, Role.LEARNER, full_name=LEARNER, email="amara@riverside.example"),
        "assessor": member(centre, Role.ASSESSOR, full_name=ASSESSOR, email="brendan@riverside.example"),
        "iv": member(centre, Role.INTERNAL_VERIFIER, full_name=IV, email="catherine@riverside.example"),
        "admin": member(centre, Role.ADMIN, full_name=ADMIN, email="dana@riverside.example"),
    }
    people["eqa"] = eqa_with_grant(
        centre, granted_by=people["admin"], full_name=EQA, email="erin@riverside.example"
    )
    invitee = register_person(
        centre=centre,
        email="femi@riverside.example",
        full_name=INVITEE,
        roles=[Role.ASSESSOR],
        invited_by=people["admin"],
        base_url="http://testserver",
    )
    enrolment = enrol(
        centre=centre,
        learner=people["learner"],
        specifications=[unit, standard],
        start_date=datetime.date(2026, 9, 1),
        assessor=people["assessor"],
        internal_verifier=people["iv"],
        group="Level 5 September 2026",
        by=people["admin"],
    )
    ids = _portfolio(enrolment, unit, standard) | _signed_portfolio(centre, people) | _iqa(centre, people)
    ids |= _records(enrolment, people) | _eqa_log(centre)
    ids |= {"centre": centre.pk, "enrolment": enrolment.pk, "unit": unit.pk, "standard": standard.pk}
    ids |= {"invitee": invitee.pk, "outcome": unit.groups.order_by("position")[0].pk}
    ids |= _reset_link(invitee)
    notification = NotificationFactory(
        recipient=people["learner"], subject="Feedback on E1", message="Well done."
    )
    ids["notification"] = notification.pk
    # a passkey beside the authenticator app: the second step offers it, the account page lists it
    ids["passkey"] = PasskeyFactory(user=people["admin"]).pk
    PasskeyFactory(user=people["assessor"])
    return World(ids=ids, emails={role: person.email for role, person in people.items()})


def _portfolio(enrolment: Enrolment, unit, standard) -> dict[str, int | str]:
    """E1 accepted with a PDF (the IV's disagreement reopens it later), E2 submitted with a photo, E3 a draft,
    E4 the assessor's observation, accepted."""
    unit_lines, standard_lines = lines_of(unit), lines_of(standard)
    reopened = documented_evidence(
        enrolment,
        unit_lines[:3],
        title="Reflective account of a review",
        name="reflective-account.pdf",
        content=PDF,
    )
    judged_met_and_accepted(reopened)
    submitted = documented_evidence(
        enrolment, unit_lines[3:5], title="Anonymised care plan", name="care-plan.png", content=PNG
    )
    draft = create_evidence_for(
        enrolment, title="Notes for a professional discussion on positive risk-taking"
    )
    files.add_files(
        user=enrolment.learner,
        evidence=draft,
        uploads=[
            check_file(io.BytesIO(PDF), name="discussion-notes.pdf"),
            check_file(io.BytesIO(HEIC), name="whiteboard.heic"),
        ],
    )
    for criterion, range_item in standard_lines[5:7]:
        add_mapping(user=enrolment.learner, evidence=draft, criterion=criterion, range_item=range_item)
    observation = record_observation(
        assessor=enrolment.assessor,
        enrolment=enrolment,
        date="2026-10-20",
        setting="Riverside supported living service",
        observed="Led the morning handover and a review with an individual and their family.",
        title="Observation of leading a care review",
        targets=unit_lines[5:9],
    )
    return {
        "reopened": reopened.pk,
        "observation": observation.pk,
        "submitted": submitted.pk,
        "draft": draft.pk,
        "mapping": submitted.mappings.order_by("pk")[0].pk,
        "file": reopened.files.get().pk,
        "photo": draft.files.get(original_name="whiteboard.heic").pk,
    }


def _signed_portfolio(centre, people: dict[str, User]) -> dict[str, int | str]:
    """A second learner on a short unit, everything observed and signed, a summative sample agreed."""
    spec = create_specification(code="T/100/0001", title="Short unit for the sweep")
    learner = member(centre, Role.LEARNER, full_name=SIGNED_LEARNER, email="ben@riverside.example")
    enrolment = enrol(
        centre=centre,
        learner=learner,
        specifications=[spec],
        start_date=datetime.date(2026, 9, 1),
        assessor=people["assessor"],
        internal_verifier=people["iv"],
        by=people["admin"],
    )
    signed_unit(enrolment, spec)
    summative = make_sample(enrolment, spec, kind=Sample.Kind.SUMMATIVE)
    decide(summative)
    return {"signed_enrolment": enrolment.pk, "short_unit": spec.pk, "summative": summative.pk}


def _iqa(centre, people: dict[str, User]) -> dict[str, int | str]:
    """A generated plan; its first sample decided (disagreed, with an open action), the second undecided."""
    plan = generate_plan(
        centre=centre,
        internal_verifier=people["iv"],
        period_start=datetime.date(2026, 9, 1),
        by=people["iv"],
        seed=7,
    )
    decided, undecided = plan.samples.order_by("position")[:2]
    due = timezone.localdate() + datetime.timedelta(days=14)
    decide(decided, agrees=False, actions=[("Discuss the evidence for 1.1 with the learner.", due)])
    return {
        "plan": plan.pk,
        "decided": decided.pk,
        "decided_title": f"{decided.enrolment.learner.full_name}, {decided.specification.code}",
        "undecided": undecided.pk,
        "undecided_title": f"{undecided.enrolment.learner.full_name}, {undecided.specification.code}",
        "action": Action.objects.get(sample=decided).pk,
    }


def _records(enrolment: Enrolment, people: dict[str, User]) -> dict[str, int | str]:
    now = timezone.now()
    done = ExportFactory(
        enrolment=enrolment,
        status=Export.Status.DONE,
        done=1,
        started_at=now,
        finished_at=now,
        file=ContentFile(b"PK\x05\x06" + bytes(18), name="export.zip"),  # an empty ZIP
        size=22,
        sha256="9f2c" * 16,
    )
    failed = ExportFactory(
        enrolment=None,
        centre=enrolment.centre,
        scope=Export.Scope.CENTRE,
        requested_by=people["admin"],
        status=Export.Status.FAILED,
        error="The disk was full: free some space, then start the export again.",
    )
    return {"learner_export": done.pk, "cohort_export": failed.pk}


def _eqa_log(centre) -> dict[str, int | str]:
    grant = EQAGrant.objects.get(centre=centre)
    for path in (
        "/centres/",
        f"/centres/{centre.pk}/",
        "/enrolments/1/specifications/1/matrix/?open=all&page=2",
    ):
        EQAPageViewFactory(grant=grant, path=path)
    return {"grant": grant.pk}


def _reset_link(invitee: User) -> dict[str, int | str]:
    """The invitation's link to choose a password (the invitee never signs in, so it stays valid)."""
    return {
        "reset_uid": urlsafe_base64_encode(force_bytes(invitee.pk)),
        "reset_token": default_token_generator.make_token(invitee),
    }
