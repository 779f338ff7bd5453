from typing import Any, cast

from django import forms

from accounts.models import User
from centres.forms import PersonChoiceField
from centres.models import Centre, Membership
from centres.selectors import people_with_role
from records.export_selectors import enrolment_groups
from records.models import Export


class CohortExportForm(forms.Form):
    """Which cohort to export: the whole centre, one assessor's learners, or an enrolment group."""

    scope = forms.ChoiceField(
        label="Export",
        choices=[(s.value, s.label) for s in Export.Scope if s != Export.Scope.LEARNER],
        widget=forms.RadioSelect,
        initial=Export.Scope.CENTRE,
    )
    assessor = PersonChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Choose an assessor",
        help_text="For an assessor's learners.",
    )
    group = forms.ChoiceField(
        label="Enrolment group",
        required=False,
        help_text="For an enrolment group: groups are set on each enrolment (Enrolments, then Edit).",
    )

    def __init__(self, *args: Any, centre: Centre, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assessor = cast(forms.ModelChoiceField, self.fields["assessor"])
        assessor.queryset = people_with_role(centre=centre, role=Membership.Role.ASSESSOR)
        groups = [("", "Choose a group")] + [(g, g) for g in enrolment_groups(centre)]
        cast(forms.ChoiceField, self.fields["group"]).choices = groups

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("scope") == Export.Scope.ASSESSOR and not data.get("assessor"):
            self.add_error("assessor", "Choose the assessor whose learners to export.")
        if data.get("scope") == Export.Scope.GROUP and not data.get("group"):
            self.add_error("group", "Choose the enrolment group to export.")
        return data
