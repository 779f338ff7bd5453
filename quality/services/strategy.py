"""The centre's sampling strategy: how much of each assessor's work is sampled, by their risk rating."""

from typing import Any

from django.db import transaction

from accounts.models import User
from audit.services import record
from centres.models import Centre, Membership
from quality.models import AssessorRisk, Rating, RiskLevel, SamplingStrategy
from quality.services import QualityError

DEFAULT_LEVELS = {Rating.HIGH: (100, 100), Rating.MEDIUM: (50, 50), Rating.LOW: (20, 20)}
RATING_ORDER = [Rating.HIGH, Rating.MEDIUM, Rating.LOW]


def strategy_for(centre: Centre) -> SamplingStrategy:
    """The centre's strategy, created with the usual defaults on first use (high 100/100, medium 50/50,
    low 20/20, 60% interim, 12 months)."""
    with transaction.atomic():
        strategy, created = SamplingStrategy.objects.get_or_create(centre=centre)
        if created:
            RiskLevel.objects.bulk_create(
                RiskLevel(strategy=strategy, rating=rating, learners_percent=learners, units_percent=units)
                for rating, (learners, units) in DEFAULT_LEVELS.items()
            )
    return strategy


def centre_assessors(centre: Centre) -> list[User]:
    """Everyone holding the assessor role in the centre, by name."""
    return list(
        User.objects.filter(memberships__centre=centre, memberships__role=Membership.Role.ASSESSOR).order_by(
            "full_name", "pk"
        )
    )


def _check_percent(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise QualityError(f"{name} must be a whole number from 0 to 100 (got {value!r}).")
    return value


def _strategy_state(strategy: SamplingStrategy) -> dict[str, Any]:
    return {
        "period_months": strategy.period_months,
        "interim_percent": strategy.interim_percent,
        "levels": {
            level.rating: [level.learners_percent, level.units_percent] for level in strategy.levels.all()
        },
        "ratings": {
            str(risk.assessor_id): [risk.rating, risk.reason] for risk in strategy.assessor_risks.all()
        },
    }


def _check_numbers(period_months: int, interim_percent: int, levels: dict[str, tuple[int, int]]) -> None:
    if not isinstance(period_months, int) or not 1 <= period_months <= 60:
        raise QualityError(f"Period must be from 1 to 60 months (got {period_months!r}).")
    _check_percent(interim_percent, "Interim share")
    for rating in RATING_ORDER:
        if rating not in levels:
            raise QualityError(f"Say how much is sampled for {rating.label.lower()} risk.")
        learners, units = levels[rating]
        _check_percent(learners, f"{rating.label}: learners sampled")
        _check_percent(units, f"{rating.label}: units sampled")


def _check_ratings(assessors: list[User], ratings: dict[int, tuple[str, str]]) -> set[int]:
    """Every assessor of the centre rated, and nobody else; the assessors' ids."""
    for assessor in assessors:
        rating, _reason = ratings.get(assessor.pk, ("", ""))
        if rating not in Rating.values:
            name = assessor.full_name or assessor.email
            raise QualityError(f"No rating for {name}: choose high, medium or low.")
    known = {assessor.pk for assessor in assessors}
    if set(ratings) - known:
        raise QualityError("Only assessors of this centre are rated: reload the page and try again.")
    return known


def update_strategy(
    *,
    centre: Centre,
    by: User,
    period_months: int,
    interim_percent: int,
    levels: dict[str, tuple[int, int]],
    ratings: dict[int, tuple[str, str]],
) -> SamplingStrategy:
    """Save the centre's strategy as a whole: every assessor rated, every percentage from 0 to 100."""
    _check_numbers(period_months, interim_percent, levels)
    known = _check_ratings(centre_assessors(centre), ratings)
    with transaction.atomic():
        strategy = SamplingStrategy.objects.select_for_update().get(pk=strategy_for(centre).pk)
        before = _strategy_state(strategy)
        strategy.period_months = period_months
        strategy.interim_percent = interim_percent
        strategy.updated_by = by
        strategy.save()
        for rating in RATING_ORDER:
            learners, units = levels[rating]
            RiskLevel.objects.update_or_create(
                strategy=strategy,
                rating=rating,
                defaults={"learners_percent": learners, "units_percent": units},
            )
        strategy.assessor_risks.exclude(assessor_id__in=known).delete()
        for assessor_id in known:
            assessor_rating, reason = ratings[assessor_id]
            AssessorRisk.objects.update_or_create(
                strategy=strategy,
                assessor_id=assessor_id,
                defaults={"rating": assessor_rating, "reason": (reason or "").strip()[:300]},
            )
        after = _strategy_state(strategy)
        record(
            actor=by,
            action="iqa.strategy_updated",
            summary=f"Sampling strategy of {centre.name} updated",
            subject=strategy,
            centre=centre,
            before=before,
            after=after,
        )
    return strategy
