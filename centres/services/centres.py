"""Creating a centre, with the assessment methods every centre starts with."""

from django.db import transaction

from centres.models import AssessmentMethod, Centre

DEFAULT_METHODS = (
    # code, label, needs_witness, is_observation
    ("OBS", "Direct observation", False, True),
    ("PD", "Professional discussion", False, False),
    ("RA", "Reflective account", False, False),
    ("WT", "Witness testimony", True, False),
    ("EW", "Expert witness", True, False),
    ("PE", "Product evidence", False, False),
    ("Q&A", "Questioning", False, False),
    ("RPL", "Recognition of prior learning", False, False),
)


@transaction.atomic
def create_centre(*, name: str, code: str) -> Centre:
    """A centre starts with the usual assessment methods, which it may then relabel or extend."""
    centre = Centre.objects.create(name=name, code=code)
    AssessmentMethod.objects.bulk_create(
        AssessmentMethod(
            centre=centre,
            code=method_code,
            label=label,
            needs_witness=witness,
            is_observation=observation,
            position=position,
        )
        for position, (method_code, label, witness, observation) in enumerate(DEFAULT_METHODS, start=1)
    )
    return centre
