"""What an export's manifest says of a portfolio: read in a fixed number of queries per learner, whatever its size,
and described section by section, one function each (docs/export-format.md gives every field)."""

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from assessments.models import Judgement, Review, SignOff
from centres.models import Enrolment
from portfolio.models import Evidence, EvidenceFile, EvidenceMapping
from quality.models import Action, Sample
from signing.keys import canonical
from units.models import Specification


def iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": user.full_name}


def specification_ref(specification: Specification) -> dict[str, str]:
    return {"code": specification.code, "version": specification.version}


def line(mapping: EvidenceMapping) -> dict[str, Any]:
    """A line of a recording form: "3.6 b)" of one specification version."""
    return {
        "specification": specification_ref(mapping.criterion.specification),
        "criterion": mapping.criterion.ref,
        "range_item": mapping.range_item.ref if mapping.range_item else None,
        "label": mapping.label,
    }


@dataclass(frozen=True)
class Portfolio:
    enrolment: Enrolment
    specifications: list[Specification]
    evidence: list[Evidence]
    signatures: list[SignOff]
    samples: list[Sample]


def judgements() -> QuerySet[Judgement]:
    return Judgement.objects.select_related(
        "assessor", "evidence", "mapping__criterion__specification", "mapping__range_item"
    )


def load_portfolio(enrolment: Enrolment) -> Portfolio:
    enrolment = Enrolment.objects.select_related("centre", "learner", "assessor", "internal_verifier").get(
        pk=enrolment.pk
    )
    enrolled = enrolment.enrolled_specifications.select_related("specification").order_by("position", "pk")
    evidence = (
        Evidence.objects.filter(enrolment=enrolment)
        .select_related("method", "declared_by", "recorded_by")
        .prefetch_related(
            Prefetch(
                "files",
                queryset=EvidenceFile.objects.select_related("uploaded_by").order_by("uploaded_at", "pk"),
            ),
            Prefetch(
                "mappings",
                queryset=EvidenceMapping.objects.select_related(
                    "criterion__specification", "range_item", "created_by"
                ),
            ),
            Prefetch("reviews", queryset=Review.objects.select_related("assessor").order_by("round")),
            Prefetch("judgements", queryset=judgements()),
        )
        .order_by("number")
    )
    signatures = (
        SignOff.objects.filter(enrolment=enrolment)
        .select_related("enrolment", "specification", "signer", "void__voided_by")
        .order_by("specification__code", "specification__version", "signed_at", "pk")
    )
    samples = (
        Sample.objects.filter(enrolment=enrolment)
        .select_related(
            "specification", "group", "assessor", "plan__internal_verifier", "decision__internal_verifier"
        )
        .prefetch_related(
            Prefetch("decision__judgements", queryset=judgements()),
            Prefetch("actions", queryset=Action.objects.select_related("owner", "set_by")),
        )
        .order_by("plan__period_start", "position", "pk")
    )
    return Portfolio(
        enrolment=enrolment,
        specifications=[e.specification for e in enrolled],
        evidence=list(evidence),
        signatures=list(signatures),
        samples=list(samples),
    )


def judgement(judgement: Judgement) -> dict[str, Any]:
    return {
        "evidence": judgement.evidence.reference,
        **line(judgement.mapping),
        "round": judgement.round,
        "met": judgement.met,
        "feedback": judgement.feedback,
        "assessor": person(judgement.assessor),
        "judged_at": iso(judgement.judged_at),
    }


def evidence(evidence: Evidence, files: list[dict[str, Any]]) -> dict[str, Any]:
    witnessed = evidence.witness_name or evidence.witness_role or evidence.witness_relationship
    return {
        "number": evidence.number,
        "reference": evidence.reference,
        "title": evidence.title,
        "method": {"code": evidence.method.code, "label": evidence.method.label},
        "date": iso(evidence.date),
        "status": evidence.status,
        "narrative": evidence.narrative,
        "assessment_site": evidence.assessment_site,
        "witness": {
            "name": evidence.witness_name,
            "role": evidence.witness_role,
            "relationship": evidence.witness_relationship,
        }
        if witnessed
        else None,
        "recorded_by": person(evidence.recorded_by),
        "declared_at": iso(evidence.declared_at),
        "declared_by": person(evidence.declared_by),
        "submitted_at": iso(evidence.submitted_at),
        "files": files,
        "mappings": [
            {**line(m), "proposed_by": person(m.created_by), "proposed_at": iso(m.created_at)}
            for m in evidence.mappings.all()
        ],
        "reviews": [
            {
                "round": review.round,
                "decision": review.decision,
                "feedback": review.feedback,
                "assessor": person(review.assessor),
                "decided_at": iso(review.decided_at),
            }
            for review in evidence.reviews.all()
        ],
        "judgements": [judgement(j) for j in evidence.judgements.all()],
    }


def signature(signature: SignOff) -> dict[str, Any]:
    return {
        "specification": specification_ref(signature.specification),
        "role": signature.role,
        "role_label": signature.get_role_display(),
        "signer": person(signature.signer),
        "name_printed": signature.name_printed,
        "signed_at": iso(signature.signed_at),
        "digest": signature.digest,
        "covered": signature.covered,
        "voided_at": iso(signature.voided_at),
        "voided_by": person(signature.voided_by),
        "void_reason": signature.void_reason,
        # what the centre's key signed, exactly (canonical JSON of it is the signed payload), and the signature
        "statement": json.loads(canonical({**signature.statement(), "key_id": signature.key_id}))
        if signature.key_signature
        else None,
        "key_id": signature.key_id,
        "key_signature": signature.key_signature,
    }


def sample(sample: Sample) -> dict[str, Any]:
    decision = getattr(sample, "decision", None)
    return {
        "specification": specification_ref(sample.specification),
        "group": sample.group.label if sample.group else None,
        "kind": sample.kind,
        "assessor": person(sample.assessor),
        "internal_verifier": person(sample.plan.internal_verifier),
        "reason": sample.reason,
        "planned_for": iso(sample.planned_for),
        "decision": None
        if decision is None
        else {
            "internal_verifier": person(decision.internal_verifier),
            "decided_at": iso(decision.decided_at),
            "agrees": decision.agrees,
            "vacs": {
                "valid": decision.valid,
                "authentic": decision.authentic,
                "current": decision.current,
                "sufficient": decision.sufficient,
            },
            "feedback": decision.feedback,
            "judgements_sampled": [
                {
                    "evidence": j.evidence.reference,
                    "specification": specification_ref(j.mapping.criterion.specification),
                    "label": j.mapping.label,
                    "round": j.round,
                }
                for j in decision.judgements.all()
            ],
        },
        "actions": [
            {
                "owner": person(action.owner),
                "set_by": person(action.set_by),
                "text": action.text,
                "due_on": iso(action.due_on),
                "status": action.status,
                "response": action.response,
                "responded_at": iso(action.responded_at),
                "closed_at": iso(action.closed_at),
            }
            for action in sample.actions.all()
        ],
    }
