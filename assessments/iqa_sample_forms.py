"""Forms of the sample page: the IV's decision with the VACS checklist and actions, and the IV's signatures."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from assessments.iqa_samples import sample_judgements
from assessments.models import Sample

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
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Judgements looked at"
    )

    def __init__(self, *args: Any, sample: Sample, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["judgements"].queryset = sample_judgements(sample)
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
        cleaned = super().clean()
        actions: list[tuple[str, datetime.date]] = []
        for row in range(1, ACTION_ROWS + 1):
            text, due_on = cleaned.get(f"action_text_{row}", "").strip(), cleaned.get(f"action_due_{row}")
            if text and not due_on:
                self.add_error(f"action_due_{row}", "Give the action a due date.")
            elif due_on and not text:
                self.add_error(f"action_text_{row}", "Say what the assessor should do.")
            elif text:
                actions.append((text, due_on))
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
