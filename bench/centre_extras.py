"""The bench centre's special records (bench/centre.py says what they are for): the large portfolio, the
piece on the review screen after two referred rounds, and the IV's sampling plan over the whole centre."""

import datetime
import hashlib
from typing import TYPE_CHECKING

from centre_rows import (
    BATCH,
    REVIEW_MAPPINGS,
    Shape,
    assessor_id,
    bulk,
    judge_met,
    lines_of,
    piece_row,
    window,
)

if TYPE_CHECKING:  # imported for real after django.setup()
    from accounts.models import User
    from centres.models import AssessmentMethod, Enrolment
    from centres.models import Centre as CentreRow
    from portfolio.models import Evidence
    from quality.models import Sample, SampleDecision
    from units.models import Specification


def enrolments_of(centre: "CentreRow", emails: list[str]) -> list["Enrolment"]:
    from centres.models import Enrolment

    found = {
        e.learner.email: e
        for e in Enrolment.objects.filter(centre=centre, learner__email__in=emails).select_related("learner")
    }
    return [found[address] for address in emails]


def enrol_on(specification: "Specification", enrolments: list["Enrolment"]) -> None:
    from centres.models import EnrolledSpecification

    bulk(
        EnrolledSpecification,
        (EnrolledSpecification(enrolment=e, specification=specification, position=1) for e in enrolments),
    )


def new_pieces(
    enrolment: "Enrolment", method: "AssessmentMethod", count: int, status: str, *, now: datetime.datetime
) -> list["Evidence"]:
    """`count` more pieces of `enrolment`, numbered after its others (its sequence moved on too)."""
    from portfolio.models import Evidence, EvidenceSequence

    sequence = EvidenceSequence.objects.get(centre_id=enrolment.centre_id, learner_id=enrolment.learner_id)
    start = sequence.last_number + 1
    pieces = bulk(
        Evidence,
        (piece_row(enrolment, number, method, status, now=now) for number in range(start, start + count)),
    )
    sequence.last_number += count
    sequence.save(update_fields=["last_number"])
    return pieces


def store_files(pieces: list["Evidence"]) -> None:
    """One small stored PDF per piece (its bytes in the default storage, as an upload leaves them)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from portfolio.models import EvidenceFile

    rows = []
    for piece in pieces:
        content = (
            b"%PDF-1.4\n% bench evidence " + f"{piece.learner_id}-{piece.number}".encode() + b"\n%%EOF\n"
        )
        name = default_storage.save(f"evidence/{piece.centre_id}/bench-{piece.pk}.pdf", ContentFile(content))
        rows.append(
            EvidenceFile(
                evidence=piece,
                file=name,
                original_name=f"{piece.reference} account.pdf",
                size=len(content),
                content_type="application/pdf",
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_by_id=piece.learner_id,
            )
        )
    bulk(EvidenceFile, rows)


def heavy_portfolio(
    enrolment: "Enrolment",
    standard: "Specification",
    methods: dict[str, "AssessmentMethod"],
    shape: Shape,
    *,
    now: datetime.datetime,
) -> int:
    """`heavy_pieces` accepted pieces with `heavy_mappings` mappings to the standard's lines, all met."""
    from portfolio.models import Evidence, EvidenceMapping

    pieces = new_pieces(enrolment, methods["RA"], shape.heavy_pieces, Evidence.Status.ACCEPTED, now=now)
    lines = lines_of(standard)
    base, extra = divmod(shape.heavy_mappings, shape.heavy_pieces)
    mappings = bulk(
        EvidenceMapping,
        (
            EvidenceMapping(
                evidence=piece, criterion=criterion, range_item=item, created_by=enrolment.learner
            )
            for k, piece in enumerate(pieces)
            for criterion, item in window(lines, k * 7, base + (1 if k < extra else 0))
        ),
    )
    judge_met(pieces, mappings, now=now)
    store_files(pieces)
    return enrolment.pk


def review_piece(
    enrolment: "Enrolment",
    standard: "Specification",
    methods: dict[str, "AssessmentMethod"],
    *,
    now: datetime.datetime,
) -> int:
    """A piece resubmitted after two referred rounds: 40 mappings, each judged in rounds 1 and 2."""
    from assessments.models import Judgement, Review
    from portfolio.models import Evidence, EvidenceMapping

    (piece,) = new_pieces(enrolment, methods["RA"], 1, Evidence.Status.RESUBMITTED, now=now)
    mappings = bulk(
        EvidenceMapping,
        (
            EvidenceMapping(
                evidence=piece, criterion=criterion, range_item=item, created_by=enrolment.learner
            )
            for criterion, item in lines_of(standard)[:REVIEW_MAPPINGS]
        ),
    )
    earlier = [now - datetime.timedelta(days=days) for days in (20, 10)]
    bulk(
        Judgement,
        (
            Judgement(
                mapping=m,
                evidence=piece,
                round=round_,
                met=k % (4 - round_) == 0,
                feedback="" if k % 3 else "Say what you did yourself, and why.",
                assessor_id=assessor_id(enrolment),
                judged_at=earlier[round_ - 1],
            )
            for round_ in (1, 2)
            for k, m in enumerate(mappings)
        ),
    )
    bulk(
        Review,
        (
            Review(
                evidence=piece,
                round=round_,
                decision=Review.Decision.REFERRED,
                feedback="Some lines are not met yet: see each line.",
                assessor_id=assessor_id(enrolment),
                decided_at=earlier[round_ - 1],
            )
            for round_ in (1, 2)
        ),
    )
    store_files([piece])
    return piece.pk


def sampling_plan(
    centre: "CentreRow", unit: "Specification", verifier: "User", *, now: datetime.datetime
) -> tuple[int, int]:
    """The IV's plan: an interim and a summative sample per learner; a tenth decided, every tenth decision an
    action. Returns the plan's and a decided sample's keys."""
    from centres.models import Enrolment
    from quality.models import Action, Sample, SampleDecision, SamplingPlan
    from quality.services.coverage import store_coverage

    today = now.date()
    plan = SamplingPlan.objects.create(
        centre=centre,
        internal_verifier=verifier,
        period_start=today - datetime.timedelta(days=60),
        period_end=today + datetime.timedelta(days=300),
        seed=20261201,
        generated_by=verifier,
    )
    samples = []
    enrolments = Enrolment.objects.filter(centre=centre).order_by("pk").only("pk", "centre_id", "assessor_id")
    for position, enrolment in enumerate(enrolments.iterator(chunk_size=BATCH)):
        for kind in (Sample.Kind.INTERIM, Sample.Kind.SUMMATIVE):
            samples.append(
                Sample(
                    plan=plan,
                    enrolment=enrolment,
                    specification=unit,
                    assessor_id=assessor_id(enrolment),
                    kind=kind,
                    reason="Medium-risk assessor: a share of their learners.",
                    planned_for=today + datetime.timedelta(days=position % 300),
                    position=2 * position + (kind == Sample.Kind.SUMMATIVE),
                )
            )
    samples = bulk(Sample, samples)
    decided = samples[::10]
    decisions = bulk(SampleDecision, (signed_decision(s, verifier, now=now) for s in decided))
    bulk(
        Action,
        (
            Action(
                sample_id=d.sample_id,
                owner_id=d.sample.assessor_id,
                set_by=verifier,
                text="Give the learner written feedback on each line not met.",
                due_on=today + datetime.timedelta(days=(k % 3 - 1) * 14),
            )
            for k, d in enumerate(decisions[::10])
        ),
    )
    store_coverage(plan)  # the dashboard's stored summary, as changing a plan's samples stores it
    return plan.pk, decided[0].pk


def signed_decision(sample: "Sample", verifier: "User", *, now: datetime.datetime) -> "SampleDecision":
    """An agreed decision, signed by the centre's key as `SampleDecision.save` signs one (bulk inserts skip it)."""
    from quality.models import SampleDecision
    from signing.keys import sign_statement

    decision = SampleDecision(
        sample=sample,
        internal_verifier=verifier,
        agrees=True,
        valid=True,
        authentic=True,
        current=True,
        sufficient=True,
        feedback="Clear, well-referenced decisions.",
        decided_at=now,
    )
    decision.key_id, decision.key_signature = sign_statement(decision.centre_id, decision.statement())
    return decision
