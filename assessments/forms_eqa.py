"""The grant form of the EQA access page: it parses and offers choices; the rules live in `assessments.eqa`."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from portfolio import centre_selectors
from portfolio.centre_forms import CentreForm, DateInput, PersonChoiceField
from portfolio.models import Centre, Enrolment, Membership


class EnrolmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Enrolment) -> str:
        return f"{obj.learner.full_name} ({obj.learner.email}), from {obj.start_date:%d/%m/%Y}"


def _in_a_year() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=365)


class EQAGrantForm(CentreForm):
    eqa = PersonChoiceField(
        queryset=Membership.objects.none(), empty_label="Choose an external quality assurer", label="EQA"
    )
    whole_centre = forms.BooleanField(
        required=False, label="The whole centre", help_text="Every portfolio of the centre, now and to come."
    )
    enrolments = EnrolmentChoiceField(
        queryset=Enrolment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Or chosen portfolios",
    )
    starts_on = forms.DateField(widget=DateInput, initial=timezone.localdate, label="From")
    ends_on = forms.DateField(widget=DateInput, initial=_in_a_year, label="To (included)")

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["eqa"].queryset = centre_selectors.people_with_role(
            centre=centre, role=Membership.Role.EQA
        )
        self.fields["enrolments"].queryset = (
            Enrolment.objects.filter(centre=centre)
            .select_related("learner")
            .order_by("learner__full_name", "-start_date")
        )
