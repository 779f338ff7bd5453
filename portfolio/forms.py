import uuid
from typing import Any, cast

from django import forms
from django.utils import timezone

from centres.models import AssessmentMethod, Centre
from portfolio.models import Evidence


class EvidenceForm(forms.Form):
    """A piece of evidence's details; the rules (witness, dates, methods) are checked by the service."""

    title = forms.CharField(max_length=200)
    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When it happened or was made.",
    )
    method = forms.ModelChoiceField(queryset=AssessmentMethod.objects.none(), label="Assessment method")
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        label="Account",
        help_text="What you did, or what the evidence shows. Leave out anything that identifies the people you support.",
    )
    witness_name = forms.CharField(max_length=200, required=False, label="Witness's name")
    witness_role = forms.CharField(max_length=200, required=False, label="Witness's job role")
    witness_relationship = forms.CharField(
        max_length=200, required=False, label="How the witness knows your work", help_text="e.g. line manager"
    )
    assessment_site = forms.CharField(max_length=200, required=False, help_text="Where the work took place.")
    form_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["method"]).queryset = AssessmentMethod.objects.filter(
            centre=centre, is_active=True
        )
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not self.is_bound:
            self.initial.setdefault("form_key", uuid.uuid4())

    @classmethod
    def for_evidence(cls, evidence: Evidence, data: object = None) -> "EvidenceForm":
        initial = {
            "title": evidence.title,
            "date": evidence.date,
            "method": evidence.method,
            "narrative": evidence.narrative,
            "witness_name": evidence.witness_name,
            "witness_role": evidence.witness_role,
            "witness_relationship": evidence.witness_relationship,
            "assessment_site": evidence.assessment_site,
        }
        return cls(data, initial=initial, centre=evidence.centre)


class SubmitForm(forms.Form):
    declaration = forms.BooleanField(
        label="This is my own work. Anything that identifies the people I support has been removed.",
        error_messages={"required": "Confirm that this is your own work before submitting."},
    )


class EvidenceFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *Evidence.Status.choices], required=False)
    method = forms.ChoiceField(choices=[("", "Any method")], required=False)
    criterion = forms.CharField(max_length=20, required=False, label="Criterion", help_text="e.g. 1.1 or K14")

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        methods = AssessmentMethod.objects.filter(centre=centre).values_list("code", "label")
        cast(forms.ChoiceField, self.fields["method"]).choices = [
            ("", "Any method"),
            *((code, f"{code}: {label}") for code, label in methods),
        ]
