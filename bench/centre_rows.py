"""The rows of the bench centre (bench/centre.py says what it holds): the people, enrolments and ordinary
portfolios, in bulk inserts of a thousand learners at a time."""

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.db.models import Model

if TYPE_CHECKING:  # imported for real after django.setup()
    from accounts.models import User
    from centres.models import AssessmentMethod, Enrolment
    from centres.models import Centre as CentreRow
    from portfolio.models import Evidence, EvidenceMapping
    from units.models import Criterion, RangeItem, Specification

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "fixtures" / "specs"
UNIT_FIXTURE = SPECS / "L-652-0848.yaml"
STANDARD_FIXTURE = SPECS / "SCDLMCB2.yaml"
PASSWORD = "bench-password-not-secret"
CENTRE_CODE = "bench"
CHUNK = 1000  # learners built per batch: bounds memory at 10,000 learners
BATCH = 5000  # rows per INSERT
COPY_FROM = 1000  # rows from which PostgreSQL's COPY is used
PIECES = 4  # pieces of evidence per ordinary learner
LINES_PER_PIECE = 8
CASELOAD = 40
REVIEW_MAPPINGS = 40
# The project's commands that recompute stored summary figures from the rows, run after building when present.
STORED_FIGURES = ("recompute_progress",)


@dataclass(frozen=True)
class Shape:
    """What `build_centre` makes for `learners` learners (see the module's docstring)."""

    learners: int
    lead_caseload: int = CASELOAD
    heavy_pieces: int = 300
    heavy_mappings: int = 1000

    @property
    def assessors(self) -> int:
        rest = max(self.learners - self.lead_caseload, 0)
        return 1 + -(-rest // CASELOAD)

    @property
    def verifiers(self) -> int:
        return max(2, self.learners // 200)

    def assessor_of(self, index: int) -> int:
        """The assessor (0-based) of learner `index` (0-based)."""
        if index < self.lead_caseload:
            return 0
        return 1 + (index - self.lead_caseload) // CASELOAD

    def accepted_pieces(self, index: int) -> int:
        return index % 5


@dataclass
class BenchCentre:
    """What the pages and the load test need to find again: people by role, and the records they open."""

    centre_id: int
    admin: str
    assessors: list[str]
    verifiers: list[str]
    learners: list[str]
    heavy_enrolment_id: int = 0
    review_evidence_id: int = 0
    plan_id: int = 0
    sample_id: int = 0
    standard_id: int = 0
    unit_id: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    recomputed: list[str] = field(default_factory=list)
    url: str = ""  # the database's, once ensure_centre has it


def email(role: str, number: int) -> str:
    return f"{role}{number}@bench.example"


def row_counts() -> dict[str, int]:
    """Rows of the tables that grow with the centre: what the shape promises, to check and to print."""
    from assessments.models import Judgement, Review
    from centres.models import Enrolment
    from portfolio.models import Evidence, EvidenceMapping
    from quality.models import Sample, SampleDecision

    models = (Enrolment, Evidence, EvidenceMapping, Judgement, Review, Sample, SampleDecision)
    return {str(model._meta.verbose_name_plural).title(): model.objects.count() for model in models}


def recompute_stored_figures() -> list[str]:
    """Run the project's commands that recompute stored summary figures (those that exist); their names."""
    from django.core.management import call_command, get_commands

    present = [name for name in STORED_FIGURES if name in get_commands()]
    for name in present:
        call_command(name, verbosity=0, stdout=io.StringIO())
    return present


def bulk[M: Model](model: type[M], rows: Iterable[M]) -> list[M]:
    """Insert `rows` and give them their keys: PostgreSQL's COPY for many rows (keys taken from the table's
    sequence first), Django's bulk_create otherwise."""
    from django.db import connection

    objects = list(rows)
    if connection.vendor != "postgresql" or len(objects) < COPY_FROM:
        return model._default_manager.bulk_create(objects, batch_size=BATCH)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        keys = [key for (key,) in cursor.fetchall()]
        columns = ", ".join(
            connection.ops.quote_name(str(c)) for c in [meta.pk.column, *(f.column for f in fields)]
        )
        with cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        ) as copy:
            for key, row in zip(keys, objects, strict=True):
                row.pk = key
                values = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
                copy.write_row([key, *values])
                row._state.adding, row._state.db = False, connection.alias
    return objects


def assessor_id(enrolment: "Enrolment") -> int:
    """The enrolment's assessor (every bench enrolment has one)."""
    if enrolment.assessor_id is None:
        raise ValueError(f"enrolment {enrolment.pk} has no assessor")
    return enrolment.assessor_id


def make_staff(centre: "CentreRow", shape: Shape, *, password: str) -> dict[str, list["User"]]:
    """Assessors, IVs and the administrator, each with a membership and a confirmed authenticator app."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from centres.models import Membership

    roles = {
        "assessors": ("assessor", shape.assessors, Membership.Role.ASSESSOR, "Assessor"),
        "verifiers": ("iv", shape.verifiers, Membership.Role.INTERNAL_VERIFIER, "Verifier"),
        "admin": ("admin", 1, Membership.Role.ADMIN, "Administrator"),
    }
    staff: dict[str, list[User]] = {}
    for key, (prefix, count, role, title) in roles.items():
        people = bulk(
            User,
            (
                User(email=email(prefix, n), full_name=f"{title} {n:03d} Bench", password=password)
                for n in range(1, count + 1)
            ),
        )
        bulk(Membership, (Membership(centre=centre, user=person, role=role) for person in people))
        bulk(
            TOTPDevice,
            (TOTPDevice(user=person, name="Authenticator app", confirmed=True) for person in people),
        )
        staff[key] = people
    return staff


def make_learners(
    centre: "CentreRow",
    shape: Shape,
    indexes: range,
    staff: dict[str, list["User"]],
    *,
    unit: "Specification",
    password: str,
) -> list["Enrolment"]:
    """Learners `indexes` (0-based) with their membership and enrolment on the unit."""
    from accounts.models import User
    from centres.models import EnrolledSpecification, Enrolment, Membership

    people = bulk(
        User,
        (
            User(email=email("learner", i + 1), full_name=f"Learner {i + 1:05d} Bench", password=password)
            for i in indexes
        ),
    )
    bulk(Membership, (Membership(centre=centre, user=p, role=Membership.Role.LEARNER) for p in people))
    assessors, verifiers = staff["assessors"], staff["verifiers"]
    enrolments = bulk(
        Enrolment,
        (
            Enrolment(
                centre=centre,
                learner=person,
                assessor=assessors[shape.assessor_of(i)],
                internal_verifier=verifiers[shape.assessor_of(i) % len(verifiers)],
                start_date=datetime.date(2026, 1, 5) + datetime.timedelta(days=i % 300),
                group=f"Cohort {i % 4 + 1}",
            )
            for i, person in zip(indexes, people, strict=True)
        ),
    )
    bulk(EnrolledSpecification, (EnrolledSpecification(enrolment=e, specification=unit) for e in enrolments))
    return enrolments


def lines_of(specification: "Specification") -> list[tuple["Criterion", "RangeItem | None"]]:
    """The lines of a recording form: each criterion without range items, each range item of the others."""
    from units.models import Criterion

    criteria = (
        Criterion.objects.filter(specification=specification)
        .prefetch_related("range_items")
        .order_by("position")
    )
    return [(c, item) for c in criteria for item in (c.range_items.all() or [None])]


def status_of(piece: int, accepted: int) -> str:
    from portfolio.models import Evidence

    if piece <= accepted:
        return Evidence.Status.ACCEPTED
    return Evidence.Status.SUBMITTED if piece == accepted + 1 else Evidence.Status.DRAFT


def ordinary_evidence(
    centre: "CentreRow",
    shape: Shape,
    indexes: range,
    enrolments: list["Enrolment"],
    methods: dict[str, "AssessmentMethod"],
    lines: list[tuple["Criterion", "RangeItem | None"]],
    *,
    now: datetime.datetime,
) -> None:
    """Each learner's 4 pieces (an observation, then reflective accounts), mapped; the accepted ones judged met."""
    from portfolio.models import Evidence, EvidenceMapping, EvidenceSequence

    pieces = []
    for index, enrolment in zip(indexes, enrolments, strict=True):
        accepted = shape.accepted_pieces(index)
        for number in range(1, PIECES + 1):
            status = status_of(number, accepted)
            pieces.append(
                piece_row(enrolment, number, methods["OBS" if number == 1 else "RA"], status, now=now)
            )
    pieces = bulk(Evidence, pieces)
    bulk(
        EvidenceSequence,
        (EvidenceSequence(centre=centre, learner=e.learner, last_number=PIECES) for e in enrolments),
    )
    mappings = bulk(
        EvidenceMapping,
        (
            EvidenceMapping(evidence=piece, criterion=criterion, range_item=item, created_by=piece.learner)
            for piece in pieces
            for criterion, item in window(lines, (piece.number - 1) * LINES_PER_PIECE, LINES_PER_PIECE)
        ),
    )
    judge_met(pieces, mappings, now=now)


def window[T](items: list[T], start: int, count: int) -> list[T]:
    return [items[(start + k) % len(items)] for k in range(min(count, len(items)))]


def piece_row(
    enrolment: "Enrolment", number: int, method: "AssessmentMethod", status: str, *, now: datetime.datetime
) -> "Evidence":
    from portfolio.models import Evidence

    draft = status == Evidence.Status.DRAFT
    observation = method.is_observation
    return Evidence(
        enrolment=enrolment,
        centre_id=enrolment.centre_id,
        learner=enrolment.learner,
        number=number,
        title="Observation of a care review" if observation else f"Reflective account {number}",
        date=datetime.date(2026, 3, 1) + datetime.timedelta(days=number),
        method=method,
        narrative="What I did, why, and what I would do differently next time.",
        status=status,
        recorded_by=enrolment.assessor if observation else None,
        declared_at=None if draft else now,
        declared_by=None if draft else enrolment.learner,
        submitted_at=None if draft else now - datetime.timedelta(days=enrolment.learner_id % 30),
    )


def judge_met(pieces: list["Evidence"], mappings: list["EvidenceMapping"], *, now: datetime.datetime) -> None:
    """Round 1 of every accepted piece: each mapping met, the review accepted, by the learner's assessor."""
    from assessments.models import Judgement, Review
    from portfolio.models import Evidence

    accepted = {p.pk: p for p in pieces if p.status == Evidence.Status.ACCEPTED}
    bulk(
        Judgement,
        (
            Judgement(
                mapping=m,
                evidence_id=m.evidence_id,
                round=1,
                met=True,
                assessor_id=assessor_id(accepted[m.evidence_id].enrolment),
                judged_at=now,
            )
            for m in mappings
            if m.evidence_id in accepted
        ),
    )
    bulk(
        Review,
        (
            Review(
                evidence=p,
                round=1,
                decision=Review.Decision.ACCEPTED,
                assessor_id=assessor_id(p.enrolment),
                decided_at=now,
            )
            for p in accepted.values()
        ),
    )
