"""Forms for the sampling strategy and sampling plans: they parse; the services in `iqa_plans` decide."""

from typing import Any

from django import forms

from accounts.models import User
from assessments.iqa_plans import RATING_ORDER, StrategyPage
from assessments.models import Rating, Sample

PERCENT = {"min_value": 0, "max_value": 100}


class StrategyForm(forms.Form):
    """Period, interim share, the percentages per rating, and a rating with a reason per assessor."""

    period_months = forms.IntegerField(label="Period (months)", min_value=1, max_value=60)
    interim_percent = forms.IntegerField(label="Interim share (%)", **PERCENT)

    def __init__(self, *args: Any, page: StrategyPage, **kwargs: Any) -> None:
        strategy = page.strategy
        initial = {"period_months": strategy.period_months, "interim_percent": strategy.interim_percent}
        for rating in RATING_ORDER:
            level = page.levels.get(rating)
            initial[f"{rating}_learners"] = level.learners_percent if level else None
            initial[f"{rating}_units"] = level.units_percent if level else None
        for assessor, risk in page.assessors:
            initial[f"rating_{assessor.pk}"] = risk.rating if risk else ""
            initial[f"reason_{assessor.pk}"] = risk.reason if risk else ""
        super().__init__(*args, initial=initial, **kwargs)
        self.assessors: list[User] = [assessor for assessor, _ in page.assessors]
        for rating in RATING_ORDER:
            self.fields[f"{rating}_learners"] = forms.IntegerField(
                label=f"{rating.label}: learners sampled (%)", **PERCENT
            )
            self.fields[f"{rating}_units"] = forms.IntegerField(
                label=f"{rating.label}: units sampled (%)", **PERCENT
            )
        for assessor in self.assessors:
            name = assessor.full_name or assessor.email
            self.fields[f"rating_{assessor.pk}"] = forms.ChoiceField(
                label=f"Rating of {name}",
                choices=[("", "Choose…"), *Rating.choices],
                required=True,
                error_messages={"required": f"No rating for {name}: choose high, medium or low."},
            )
            self.fields[f"reason_{assessor.pk}"] = forms.CharField(
                label=f"Reason for {name}'s rating", max_length=300, required=False
            )

    def level_fields(self) -> list[tuple[Any, Any, Any]]:
        return [(rating, self[f"{rating}_learners"], self[f"{rating}_units"]) for rating in RATING_ORDER]

    def assessor_fields(self) -> list[tuple[User, Any, Any]]:
        return [(a, self[f"rating_{a.pk}"], self[f"reason_{a.pk}"]) for a in self.assessors]

    def levels(self) -> dict[str, tuple[int, int]]:
        data = self.cleaned_data
        return {rating: (data[f"{rating}_learners"], data[f"{rating}_units"]) for rating in RATING_ORDER}

    def ratings(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {a.pk: (data[f"rating_{a.pk}"], data[f"reason_{a.pk}"]) for a in self.assessors}


class GeneratePlanForm(forms.Form):
    period_start = forms.DateField(
        label="Period starts", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        label="Seed (optional)",
        help_text="Leave empty for a new random plan; the same seed and data give the same plan again.",
    )


class AddSampleForm(forms.Form):
    unit = forms.ChoiceField(label="Learner and unit")
    kind = forms.ChoiceField(
        choices=[("", "As it stands (summative once signed off)"), *Sample.Kind.choices], required=False
    )
    planned_for = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = choices


class MoveSampleForm(forms.Form):
    direction = forms.ChoiceField(choices=[("", "—"), ("up", "Up"), ("down", "Down")], required=False)
    planned_for = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
