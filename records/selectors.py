"""The completion record of one specification: everything the paper recording form holds, read in a fixed
number of queries whatever the size of the portfolio."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from assessments.models import SignOff
from assessments.selectors.met import CountableState, countable_states, observation_note
from centres.models import Enrolment
from portfolio.models import Evidence, EvidenceFile
from quality.models import Sample
from units.models import Criterion, Group, RangeItem, Specification
from units.selectors import Line, recording_form_groups


@dataclass(frozen=True)
class RecordSpecification:
    """The specification version as printed in the record's header."""

    code: str
    aliases: list[str]
    title: str
    version: str
    kind: str
    kind_label: str
    level: int | None
    credits: int | None
    guided_learning_hours: int | None
    owner: str


@dataclass(frozen=True)
class RecordLine:
    """One line of the form: a criterion without range items, or one range item of a criterion.

    `met_by` holds the evidence numbers in the form's box; `mapped` and `reason` say why an unmet line is not met.
    """

    criterion_ref: str
    criterion_text: str
    range_item_ref: str | None
    range_item_text: str | None
    met: bool
    met_by: list[str]
    mapped: list[str]
    reason: str

    @property
    def ref(self) -> str:
        return f"{self.criterion_ref} {self.range_item_ref})" if self.range_item_ref else self.criterion_ref

    @property
    def text(self) -> str:
        return self.range_item_text if self.range_item_text is not None else self.criterion_text


@dataclass(frozen=True)
class RecordCriterion:
    """A criterion with its lines: one line of its own, or one per range item (each needs its own evidence)."""

    ref: str
    text: str
    has_range_items: bool
    lines: list[RecordLine]


@dataclass(frozen=True)
class RecordGroup:
    """A learning outcome of a unit or a heading of a standard."""

    number: str
    title: str
    kind: str
    kind_label: str
    criteria: list[RecordCriterion]
    observation_note: str = ""  # the observation rule its lines are held to, if any

    @property
    def lines(self) -> list[RecordLine]:
        return [line for criterion in self.criteria for line in criterion.lines]

    @property
    def met_count(self) -> int:
        return sum(1 for line in self.lines if line.met)


@dataclass(frozen=True)
class RecordSignature:
    """A signature in force, as recorded: who, when and the SHA-256 digest of what they signed."""

    role: str
    role_label: str
    name_printed: str
    signed_at: datetime.datetime
    digest: str
    checked_on: datetime.date | None = None


@dataclass(frozen=True)
class RecordSample:
    """An internal verifier's decided sample: the form's "sampled on the following date/s"."""

    decided_at: datetime.datetime
    iv_name: str
    kind: str
    kind_label: str
    scope: str
    agrees: bool


@dataclass(frozen=True)
class RecordFile:
    """An uploaded file as evidence of what was assessed: its name and SHA-256; earlier versions are kept."""

    name: str
    sha256: str
    size: int
    uploaded_at: datetime.datetime
    is_current: bool


@dataclass(frozen=True)
class RecordEvidence:
    """A row of the evidence index: the numbered piece the form's boxes refer to."""

    reference: str
    title: str
    method_code: str
    method_label: str
    date: datetime.date
    status: str
    status_label: str
    files: list[RecordFile]

    @property
    def current_files(self) -> list[RecordFile]:
        return [f for f in self.files if f.is_current]

    @property
    def earlier_files(self) -> list[RecordFile]:
        return [f for f in self.files if not f.is_current]


@dataclass(frozen=True)
class CompletionRecord:
    """The recording form of one specification for one learner, filled in from the portfolio."""

    centre_name: str
    centre_code: str
    learner_name: str
    assessor_name: str | None
    iv_name: str | None
    specification: RecordSpecification
    groups: list[RecordGroup]
    learner_signature: RecordSignature | None
    assessor_signature: RecordSignature | None
    admin_check_signature: RecordSignature | None
    completion_signature: RecordSignature | None
    samples: list[RecordSample]
    evidence: list[RecordEvidence]
    generated_at: datetime.datetime

    @property
    def lines(self) -> list[RecordLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def met_count(self) -> int:
        return sum(1 for line in self.lines if line.met)

    @property
    def line_count(self) -> int:
        return len(self.lines)

    @property
    def is_complete(self) -> bool:
        """Only the IV's confirmation of completion makes the record final; anything before is a draft."""
        return self.completion_signature is not None


def _line(criterion: Criterion, item: RangeItem | None, state: CountableState | None) -> RecordLine:
    """One line of the form; a line nothing is mapped to has no state and reads as not yet evidenced."""
    state = state or CountableState(needs_observation=False)
    met = state.met
    return RecordLine(
        criterion_ref=criterion.ref,
        criterion_text=criterion.text,
        range_item_ref=item.ref if item else None,
        range_item_text=item.text if item else None,
        met=met,
        met_by=[e.reference for e in state.met_by] if met else [],
        mapped=[e.reference for e in state.mapped],
        reason=state.reason,
    )


def _signature(sign_off: SignOff | None) -> RecordSignature | None:
    if sign_off is None:
        return None
    return RecordSignature(
        role=sign_off.role,
        role_label=sign_off.get_role_display(),
        name_printed=sign_off.name_printed,
        signed_at=sign_off.signed_at,
        digest=sign_off.digest,
        checked_on=sign_off.checked_on,
    )


def _record_specification(specification: Specification) -> RecordSpecification:
    return RecordSpecification(
        code=specification.code,
        aliases=list(specification.aliases),
        title=specification.title,
        version=specification.version,
        kind=specification.kind,
        kind_label=specification.get_kind_display(),
        level=specification.level,
        credits=specification.credits,
        guided_learning_hours=specification.guided_learning_hours,
        owner=specification.owner,
    )


def _record_criterion(criterion: Criterion, states: dict[Line, CountableState]) -> RecordCriterion:
    """A criterion's lines: its own, or one per range item."""
    return RecordCriterion(
        ref=criterion.ref,
        text=criterion.text,
        has_range_items=bool(criterion.range_items.all()),
        lines=[
            _line(criterion, item, states.get((criterion.pk, item.pk if item else None)))
            for item in (criterion.range_items.all() or [None])
        ],
    )


def _record_group(
    group: Group, specification: Specification, states: dict[Line, CountableState]
) -> RecordGroup:
    return RecordGroup(
        number=group.number,
        title=group.title,
        kind=group.kind,
        kind_label=group.get_kind_display(),
        criteria=[_record_criterion(criterion, states) for criterion in group.criteria.all()],
        observation_note=observation_note(group, specification),
    )


def _record_samples(enrolment: Enrolment, specification: Specification) -> list[RecordSample]:
    """The decided samples of the unit, in the order they were decided (one query)."""
    samples = (
        Sample.objects.filter(enrolment=enrolment, specification=specification, decision__isnull=False)
        .select_related("decision__internal_verifier", "group")
        .order_by("decision__decided_at", "pk")
    )
    return [
        RecordSample(
            decided_at=sample.decision.decided_at,
            iv_name=str(sample.decision.internal_verifier),
            kind=sample.kind,
            kind_label=sample.get_kind_display(),
            scope=str(sample.group) if sample.group else "the whole unit",
            agrees=sample.decision.agrees,
        )
        for sample in samples
    ]


def _record_evidence(enrolment: Enrolment, specification: Specification) -> list[RecordEvidence]:
    """The evidence index: each piece mapped to the unit, with its files, earliest first (two queries)."""
    evidence = (
        Evidence.objects.filter(enrolment=enrolment, mappings__criterion__specification=specification)
        .distinct()
        .select_related("method")
        .prefetch_related(Prefetch("files", queryset=EvidenceFile.objects.order_by("uploaded_at", "pk")))
        .order_by("number")
    )
    return [
        RecordEvidence(
            reference=item.reference,
            title=item.title,
            method_code=item.method.code,
            method_label=item.method.label,
            date=item.date,
            status=item.status,
            status_label=item.get_status_display(),
            files=[
                RecordFile(
                    name=f.original_name,
                    sha256=f.sha256,
                    size=f.size,
                    uploaded_at=f.uploaded_at,
                    is_current=f.is_current,
                )
                for f in item.files.all()
            ],
        )
        for item in evidence
    ]


def completion_record(*, enrolment: Enrolment, specification: Specification) -> CompletionRecord:
    """Read the record in ten queries, so a portfolio of hundreds of pieces prints as fast as a small one."""
    enrolment = Enrolment.objects.select_related("centre", "learner", "assessor", "internal_verifier").get(
        pk=enrolment.pk
    )
    groups = recording_form_groups(specification=specification)
    states = countable_states(enrolments=[enrolment], specification_ids=[specification.pk]).get(
        (enrolment.pk, specification.pk), {}
    )
    in_force = {
        s.role: s for s in SignOff.objects.in_force().filter(enrolment=enrolment, specification=specification)
    }
    return CompletionRecord(
        centre_name=enrolment.centre.name,
        centre_code=enrolment.centre.code,
        learner_name=str(enrolment.learner),
        assessor_name=str(enrolment.assessor) if enrolment.assessor else None,
        iv_name=str(enrolment.internal_verifier) if enrolment.internal_verifier else None,
        specification=_record_specification(specification),
        groups=[_record_group(group, specification, states) for group in groups],
        learner_signature=_signature(in_force.get(SignOff.Role.LEARNER)),
        assessor_signature=_signature(in_force.get(SignOff.Role.ASSESSOR)),
        admin_check_signature=_signature(in_force.get(SignOff.Role.ADMIN_CHECK)),
        completion_signature=_signature(in_force.get(SignOff.Role.COMPLETION)),
        samples=_record_samples(enrolment, specification),
        evidence=_record_evidence(enrolment, specification),
        generated_at=timezone.now(),
    )
