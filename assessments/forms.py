import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone

from assessments.services import AssessmentError
from centres.models import Enrolment
from units.models import Criterion, RangeItem


def countable_choices(enrolment: Enrolment) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every line of the enrolment's specifications, grouped by specification, as `criterion[:range item]`."""
    criteria = (
        Criterion.objects.filter(specification__enrolments__enrolment=enrolment)
        .select_related("specification")
        .prefetch_related("range_items")
        .order_by("specification__code", "position")
    )
    grouped: dict[str, list[tuple[str, str]]] = {}
    for criterion in criteria:
        spec = criterion.specification
        for item in criterion.range_items.all() or [None]:
            value = f"{criterion.pk}:{item.pk}" if item else str(criterion.pk)
            label = (
                f"{criterion.ref} {item.ref}) {item.text}" if item else f"{criterion.ref} {criterion.text}"
            )
            grouped.setdefault(f"{spec.code} v{spec.version}", []).append((value, label[:140]))
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
    criteria = forms.MultipleChoiceField(
        help_text="The criteria and range items the observation showed (hold Ctrl or ⌘ to choose several)."
    )

    def __init__(self, *args: Any, enrolment: Enrolment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["criteria"]).choices = countable_choices(enrolment)
        self.fields["criteria"].widget.attrs["size"] = 12
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
