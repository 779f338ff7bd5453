import datetime
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.text import Truncator

from assessments.services import AssessmentError
from centres.models import Enrolment
from units.models import Criterion, Group, RangeItem


@dataclass(frozen=True)
class OutcomeChoices:
    """The lines of one learning outcome (or NOS heading), each as a `criterion[:range item]` choice."""

    specification: str
    group: Group
    choices: list[tuple[str, str]]


def countable_groups(enrolment: Enrolment) -> list[OutcomeChoices]:
    """Every line of the enrolment's specifications, by specification and group, labelled in full."""
    criteria = (
        Criterion.objects.filter(specification__enrolments__enrolment=enrolment)
        .select_related("specification", "group")
        .prefetch_related("range_items")
        .order_by("specification__code", "specification__version", "position")
    )
    grouped: dict[int, OutcomeChoices] = {}
    for criterion in criteria:
        outcome = grouped.setdefault(
            criterion.group_id, OutcomeChoices(criterion.specification.label, criterion.group, [])
        )
        for item in criterion.range_items.all() or [None]:
            value = f"{criterion.pk}:{item.pk}" if item else str(criterion.pk)
            label = (
                f"{criterion.ref} {item.ref}) {item.text}" if item else f"{criterion.ref} {criterion.text}"
            )
            outcome.choices.append((value, label))
    return list(grouped.values())


def countable_choices(enrolment: Enrolment) -> list[tuple[str, list[tuple[str, str]]]]:
    """The same lines grouped by specification for a select, long texts shortened at a word."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for outcome in countable_groups(enrolment):
        grouped.setdefault(outcome.specification, []).extend(
            (value, Truncator(label).words(24)) for value, label in outcome.choices
        )
    return list(grouped.items())


def parse_countable(value: str) -> tuple[Criterion, RangeItem | None]:
    """`12` or `12:34` from a countable choice; anything else is an error a person can act on."""
    criterion_id, _, item_id = value.partition(":")
    try:
        criterion = Criterion.objects.select_related("specification").get(pk=int(criterion_id))
        item = RangeItem.objects.get(pk=int(item_id), criterion=criterion) if item_id else None
    except (ValueError, Criterion.DoesNotExist, RangeItem.DoesNotExist):
        raise AssessmentError("Choose a criterion from the list.") from None
    return criterion, item


class ObservationForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Direct observation of practice")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    setting = forms.CharField(max_length=200, help_text="Where the observation took place.")
    observed = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="What was observed",
        help_text="Describe the practice you saw, without names of the people supported.",
    )
    remote = forms.BooleanField(
        required=False,
        label="Observed remotely (by video call or from a recording), not in person",
        help_text="A remote observation only adds to one made in person, unless the specification's rules say "
        "otherwise.",
    )
    criteria = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="What the observation showed",
        help_text="Tick each criterion and range item you saw met.",
        error_messages={"required": "Tick at least one criterion the observation showed."},
    )

    def __init__(self, *args: Any, enrolment: Enrolment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcomes = countable_groups(enrolment)
        cast(forms.MultipleChoiceField, self.fields["criteria"]).choices = [
            choice for outcome in self.outcomes for choice in outcome.choices
        ]
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_date(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("An observation cannot be dated in the future.")
        return date

    def clean_criteria(self) -> list[tuple[Criterion, RangeItem | None]]:
        try:
            return [parse_countable(value) for value in self.cleaned_data["criteria"]]
        except AssessmentError as error:
            raise forms.ValidationError(str(error)) from None
