import uuid
from typing import Any, cast

from django import forms
from django.utils import timezone

from centres.models import AssessmentMethod, Centre
from portfolio.models import Evidence
from portfolio.services.evidence import detail_problems


class EvidenceForm(forms.Form):
    """A piece of evidence's details. The rules that involve several fields (witness, dates, methods) are the
    service's (`detail_problems`); the form asks it too, so that every problem shows at once, on its field."""

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
        # A direct observation is the assessor's to record (Caseload → the learner → Record an observation).
        cast(forms.ModelChoiceField, self.fields["method"]).queryset = AssessmentMethod.objects.filter(
            centre=centre, is_active=True, is_observation=False
        )
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.centre = centre
        if not self.is_bound:
            self.initial.setdefault("form_key", uuid.uuid4())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field, message in detail_problems(centre_id=self.centre.pk, details=cleaned).items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned

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
