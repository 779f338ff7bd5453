"""Forms of the centre pages: they parse and offer choices; the rules live in `centres.services`."""

import datetime
from typing import Any, cast

from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from centres import selectors
from centres.models import Centre, EnrolledSpecification, Enrolment, Membership
from units.models import Specification

Role = Membership.Role


class PersonChoiceField(forms.ModelChoiceField):
    """Name and e-mail, so two people with the same name can be told apart."""

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})"


class SpecificationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Specification) -> str:
        return f"{obj.code} · {obj.title} · version {obj.version}"


def role_field(**kwargs: Any) -> forms.MultipleChoiceField:
    """The role checkboxes, the same on the register and roles forms."""
    return forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, label="Roles at this centre", **kwargs
    )


class CentreForm(forms.Form):
    """Labels without a trailing colon, as on the sign-in page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class RegisterPersonForm(CentreForm):
    email = forms.EmailField(label="E-mail address", max_length=254)
    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        help_text="As it should appear on signed records. Someone who already has an account keeps their name.",
    )
    roles = role_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class PersonRolesForm(CentreForm):
    roles = role_field()


def by_progress(enrolments: QuerySet[Enrolment], progress: str) -> QuerySet[Enrolment]:
    """Enrolments by the stored progress of their specifications: none with evidence, some line not met yet
    (with evidence somewhere), or every line of every specification met."""
    specifications = EnrolledSpecification.objects.filter(enrolment=OuterRef("pk"))
    unmet = Exists(specifications.filter(met__lt=F("lines")))
    if progress == "none":
        return enrolments.exclude(Exists(specifications.filter(evidenced__gt=0)))
    if progress == "under_way":
        return enrolments.filter(Exists(specifications.filter(evidenced__gt=0)), unmet)
    if progress == "met":
        return enrolments.filter(Exists(specifications)).exclude(unmet)
    return enrolments


class EnrolmentFilterForm(CentreForm):
    """The filters of a list of enrolments, read from the query string: a learner's name (or e-mail), a status
    and, where there is more than one to choose from, an assessor. Invalid values filter nothing."""

    q = forms.CharField(label="Learner's name", required=False, max_length=100)
    status = forms.ChoiceField(
        choices=[("", "All"), *Enrolment.Status.choices], required=False, label="Status"
    )
    progress = forms.ChoiceField(
        choices=[
            ("", "All"),
            ("none", "No evidence yet"),
            ("under_way", "Under way: not everything met"),
            ("met", "Everything met"),
        ],
        required=False,
        label="Progress",
    )
    assessor = forms.TypedChoiceField(coerce=int, required=False, label="Assessor")

    def __init__(self, *args: Any, assessors: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = (
            [(user.pk, user.full_name or user.email) for user in assessors] if assessors is not None else []
        )
        if len(choices) > 1:
            cast(forms.TypedChoiceField, self.fields["assessor"]).choices = [("", "All"), *choices]
        else:
            del self.fields["assessor"]

    @property
    def values(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}

    @property
    def is_filtered(self) -> bool:
        return any(self.values.get(name) for name in self.fields)

    def filter(self, enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
        values = self.values
        if query := (values.get("q") or "").strip():
            enrolments = enrolments.filter(
                Q(learner__full_name__icontains=query) | Q(learner__email__icontains=query)
            )
        if status := values.get("status"):
            enrolments = enrolments.filter(status=status)
        if assessor := values.get("assessor"):
            enrolments = enrolments.filter(assessor_id=assessor)
        return by_progress(enrolments, values.get("progress", ""))


class DateInput(forms.DateInput):
    """The browser's date picker, which reads and writes ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class EnrolmentForm(CentreForm):
    """A new enrolment: choices are this centre's people in the right role and the catalogue's specifications."""

    learner = PersonChoiceField(queryset=User.objects.none(), empty_label="Choose a learner")
    specifications = SpecificationChoiceField(
        queryset=Specification.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Typically the unit and the National Occupational Standard it maps to.",
    )
    start_date = forms.DateField(widget=DateInput, initial=timezone.localdate)
    assessor = PersonChoiceField(queryset=User.objects.none(), required=False, empty_label="Not assigned yet")
    internal_verifier = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Not assigned yet",
        label="Internal verifier",
    )
    group = forms.CharField(
        label="Enrolment group",
        max_length=100,
        required=False,
        help_text="Optional: the cohort, e.g. “Level 5 September 2026”, to export its portfolios together.",
    )

    def __init__(self, *args: Any, centre: Centre, enrolment: Enrolment | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PersonChoiceField, self.fields["learner"]).queryset = selectors.people_with_role(
            centre=centre, role=Role.LEARNER
        )
        cast(SpecificationChoiceField, self.fields["specifications"]).queryset = selectors.catalogue()
        cast(PersonChoiceField, self.fields["assessor"]).queryset = selectors.people_with_role(
            centre=centre, role=Role.ASSESSOR, also=enrolment.assessor if enrolment else None
        )
        cast(PersonChoiceField, self.fields["internal_verifier"]).queryset = selectors.people_with_role(
            centre=centre,
            role=Role.INTERNAL_VERIFIER,
            also=enrolment.internal_verifier if enrolment else None,
        )


class EnrolmentChangeForm(EnrolmentForm):
    """An existing enrolment: its learner stays; its status can change."""

    status = forms.ChoiceField(choices=Enrolment.Status.choices)

    field_order = ("specifications", "start_date", "assessor", "internal_verifier", "group", "status")

    def __init__(self, *args: Any, centre: Centre, enrolment: Enrolment, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "specifications": [
                    enrolled.specification_id for enrolled in enrolment.enrolled_specifications.all()
                ],
                "start_date": enrolment.start_date,
                "assessor": enrolment.assessor_id,
                "internal_verifier": enrolment.internal_verifier_id,
                "status": enrolment.status,
                "group": enrolment.group,
            },
        )
        super().__init__(*args, centre=centre, enrolment=enrolment, **kwargs)
        del self.fields["learner"]


# The grant form of the EQA access page


class EnrolmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Enrolment) -> str:
        return f"{obj.learner.full_name} ({obj.learner.email}), from {obj.start_date:%d/%m/%Y}"


def _in_a_year() -> datetime.date:
    """A new grant's default last day."""
    return timezone.localdate() + datetime.timedelta(days=365)


class EQAGrantForm(CentreForm):
    eqa = PersonChoiceField(
        queryset=User.objects.none(), empty_label="Choose an external quality assurer", label="EQA"
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
        cast(PersonChoiceField, self.fields["eqa"]).queryset = selectors.people_with_role(
            centre=centre, role=Membership.Role.EQA
        )
        cast(EnrolmentChoiceField, self.fields["enrolments"]).queryset = (
            Enrolment.objects.filter(centre=centre)
            .select_related("learner")
            .order_by("learner__full_name", "-start_date")
        )
