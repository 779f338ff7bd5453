"""Forms of internal quality assurance: they parse and offer choices; the services decide."""

import datetime
from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.utils import timezone

from accounts.models import User
from assessments.models import Judgement
from quality.models import Rating, Sample
from quality.selectors.plans import StrategyPage
from quality.selectors.samples import sample_judgements
from quality.services.strategy import RATING_ORDER


def _percent_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100)


def _strategy_initial(page: StrategyPage) -> dict[str, object]:
    """The strategy as saved, so the form opens on it; a rating with no level yet, or an assessor not yet
    rated, starts empty."""
    strategy = page.strategy
    initial: dict[str, object] = {
        "period_months": strategy.period_months,
        "interim_percent": strategy.interim_percent,
    }
    for rating in RATING_ORDER:
        level = page.levels.get(rating)
        initial[f"{rating}_learners"] = level.learners_percent if level else None
        initial[f"{rating}_units"] = level.units_percent if level else None
    for assessor, risk in page.assessors:
        initial[f"rating_{assessor.pk}"] = risk.rating if risk else ""
        initial[f"reason_{assessor.pk}"] = risk.reason if risk else ""
    return initial


class StrategyForm(forms.Form):
    """Period, interim share, the percentages per rating, and a rating with a reason per assessor."""

    period_months = forms.IntegerField(label="Period (months)", min_value=1, max_value=60)
    interim_percent = _percent_field("Interim share (%)")

    def __init__(self, data: Mapping[str, Any] | None = None, *, page: StrategyPage, **kwargs: Any) -> None:
        super().__init__(data, initial=_strategy_initial(page), **kwargs)
        self.assessors: list[User] = [assessor for assessor, _ in page.assessors]
        for rating in RATING_ORDER:
            self.fields[f"{rating}_learners"] = _percent_field(f"{rating.label}: learners sampled (%)")
            self.fields[f"{rating}_units"] = _percent_field(f"{rating.label}: units sampled (%)")
        for assessor in self.assessors:
            self._add_assessor_fields(assessor)

    def _add_assessor_fields(self, assessor: User) -> None:
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
        label="Period starts",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,  # today, unless the IV plans another period
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
        cast(forms.ChoiceField, self.fields["unit"]).choices = choices


class MoveSampleForm(forms.Form):
    direction = forms.ChoiceField(choices=[("", "—"), ("up", "Up"), ("down", "Down")], required=False)
    planned_for = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


# The sample page: the IV's decision with the VACS checklist and actions, and the IV's signatures

ACTION_ROWS = 2


class SampleDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("agree", "Agree with the assessor"),
            ("disagree", "Disagree: reopen the judgements looked at"),
        ],
        widget=forms.RadioSelect,
    )
    valid = forms.BooleanField(required=False, label="Valid: relevant to the criteria")
    authentic = forms.BooleanField(required=False, label="Authentic: the learner's own work")
    current = forms.BooleanField(required=False, label="Current: shows competence now")
    sufficient = forms.BooleanField(required=False, label="Sufficient: enough to meet the criteria")
    feedback = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Feedback to the assessor")
    judgements = forms.ModelMultipleChoiceField(
        queryset=Judgement.objects.none(), widget=forms.CheckboxSelectMultiple, label="Judgements looked at"
    )

    def __init__(self, *args: Any, sample: Sample, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["judgements"]).queryset = sample_judgements(sample)
        for row in range(1, ACTION_ROWS + 1):
            self.fields[f"action_text_{row}"] = forms.CharField(
                required=False,
                label=f"Action {row} for the assessor",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"action_due_{row}"] = forms.DateField(
                required=False,
                label=f"Action {row} due on",
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        actions: list[tuple[str, datetime.date]] = []
        for row in range(1, ACTION_ROWS + 1):
            text: str = cleaned.get(f"action_text_{row}", "").strip()
            due_on: datetime.date | None = cleaned.get(f"action_due_{row}")
            if text and due_on:
                actions.append((text, due_on))
            elif text:
                self.add_error(f"action_due_{row}", "Give the action a due date.")
            elif due_on:
                self.add_error(f"action_text_{row}", "Say what the assessor should do.")
        cleaned["actions"] = actions
        return cleaned


class AdminCheckForm(forms.Form):
    checked_on = forms.DateField(
        label="Admin check date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    password = forms.CharField(
        label="Your password, to sign the admin check",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CompletionForm(forms.Form):
    password = forms.CharField(
        label="Your password, to confirm unit completion",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ActionResponseForm(forms.Form):
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Your response")
