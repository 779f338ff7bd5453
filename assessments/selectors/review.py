"""The assessor's review screen and the learner's feedback: every round of judgements on a piece of evidence."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from assessments.models import Judgement, Review, RoundFeedback
from assessments.selectors.signatures import signed_specification_ids
from portfolio.models import Evidence, EvidenceMapping
from units.models import Guidance


class Round(NamedTuple):
    """A closed round: the decision, and the judgements made in it."""

    review: Review
    judgements: list[Judgement]


@dataclass(frozen=True)
class MappingForReview:
    mapping: EvidenceMapping
    judgement: Judgement | None
    marking_points: list[tuple[str, list[str]]]
    frozen: bool = False  # covered by a signature in force: shown, not judged
    reopened: bool = False  # reopened by the internal verifier on accepted evidence: judged again


@dataclass(frozen=True)
class ReviewPage:
    round: int
    mappings: list[MappingForReview]
    history: list[Round]
    frozen_specification_ids: set[int]
    feedback: str  # the overall feedback saved so far in this round
    frozen_codes: list[str]  # the signed-off specifications this evidence's judgements are frozen by
    rejudging: bool  # accepted evidence with judgements the internal verifier reopened: only those are judged

    @property
    def all_frozen(self) -> bool:
        return bool(self.mappings) and all(item.frozen for item in self.mappings)


def open_reopenings(*, evidence_ids: Iterable[int] | QuerySet[Any]) -> QuerySet[Judgement]:
    """Judgements the internal verifier reopened that the assessor has not judged again (no newer judgement on
    the line): what an accepted piece of evidence still waits on."""
    newer = Judgement.objects.filter(mapping_id=OuterRef("mapping_id"), round__gt=OuterRef("round"))
    return Judgement.objects.filter(evidence_id__in=evidence_ids, reopening__isnull=False).exclude(
        Exists(newer)
    )


def _judgements(evidence: Evidence) -> QuerySet[Judgement]:
    """Every judgement on the evidence with what it was about, so a round prints in no further queries."""
    return Judgement.objects.filter(evidence=evidence).select_related(
        "assessor", "mapping__criterion__specification", "mapping__range_item"
    )


def _mappings(evidence: Evidence) -> list[EvidenceMapping]:
    return list(
        EvidenceMapping.objects.filter(evidence=evidence)
        .select_related("criterion__specification", "criterion__group", "range_item")
        .prefetch_related(
            "criterion__range_items",
            "criterion__indicative_content",
            Prefetch("criterion__group__guidance", queryset=Guidance.objects.order_by("position")),
        )
    )


def _whole_specification_guidance(mappings: list[EvidenceMapping]) -> defaultdict[int, list[Guidance]]:
    """Guidance on no group in particular (it applies to the whole specification), by specification id."""
    whole: defaultdict[int, list[Guidance]] = defaultdict(list)
    for guidance in Guidance.objects.filter(
        specification_id__in={m.criterion.specification_id for m in mappings}, groups__isnull=True
    ):
        whole[guidance.specification_id].append(guidance)
    return whole


def _marking_points(
    mapping: EvidenceMapping, whole: dict[int, list[Guidance]]
) -> list[tuple[str, list[str]]]:
    """The marking points of the guidance on the criterion's group, then of the whole specification's."""
    criterion = mapping.criterion
    return [
        (g.title, g.marking_points)
        for g in [*criterion.group.guidance.all(), *whole[criterion.specification_id]]
        if g.marking_points
    ]


def review_page(*, evidence: Evidence) -> ReviewPage:
    """The review screen: each mapping with the verbatim criterion, range items, indicative content and the
    guidance's marking points, this round's judgements, and every earlier round, in a fixed number of queries."""
    reviews = list(evidence.reviews.select_related("assessor").order_by("round"))
    round_now = len(reviews) + 1
    mappings = _mappings(evidence)
    whole = _whole_specification_guidance(mappings)
    judgements = list(_judgements(evidence).order_by("round", "pk"))
    this_round = {j.mapping_id: j for j in judgements if j.round == round_now}
    by_round: dict[int, list[Judgement]] = defaultdict(list)
    for judgement in judgements:
        if judgement.round < round_now:
            by_round[judgement.round].append(judgement)
    frozen = signed_specification_ids(enrolment_id=evidence.enrolment_id)
    draft = RoundFeedback.objects.filter(evidence=evidence, round=round_now).first()
    reopened = (
        set(open_reopenings(evidence_ids=[evidence.pk]).values_list("mapping_id", flat=True))
        if evidence.status == Evidence.Status.ACCEPTED
        else set()
    )
    return ReviewPage(
        round=round_now,
        mappings=[
            MappingForReview(
                mapping=m,
                judgement=this_round.get(m.pk),
                marking_points=_marking_points(m, whole),
                frozen=m.criterion.specification_id in frozen,
                reopened=m.pk in reopened,
            )
            for m in mappings
        ],
        history=[Round(review, by_round[review.round]) for review in reviews],
        frozen_specification_ids=frozen,
        feedback=draft.text if draft else "",
        frozen_codes=sorted(
            {m.criterion.specification.code for m in mappings if m.criterion.specification_id in frozen}
        ),
        rejudging=bool(reopened),
    )


def feedback_history(*, evidence: Evidence) -> list[Round]:
    """Every closed round with its judgements, newest first, for the learner's evidence page."""
    reviews = list(Review.objects.filter(evidence=evidence).select_related("assessor").order_by("-round"))
    judgements: dict[int, list[Judgement]] = defaultdict(list)
    for judgement in _judgements(evidence):
        judgements[judgement.round].append(judgement)
    return [Round(review, judgements[review.round]) for review in reviews]
