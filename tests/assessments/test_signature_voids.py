"""A signature row is never changed: voiding it adds a row that points at it, and "in force" means no such row."""

from django.forms.models import model_to_dict

from assessments.models import SignOff, SignOffVoid
from assessments.services.signatures import reopen
from tests.factories.assessments import SignOffFactory, SignOffVoidFactory


def test_reopening_adds_a_void_row_and_leaves_the_signature_as_it_was_signed(db):
    signature = SignOffFactory()
    enrolment = signature.enrolment
    signed = model_to_dict(SignOff.objects.get(pk=signature.pk))

    reopen(
        user=enrolment.assessor,
        enrolment=enrolment,
        specification=signature.specification,
        reason="Look again",
    )

    assert model_to_dict(SignOff.objects.get(pk=signature.pk)) == signed
    void = SignOffVoid.objects.get(signature=signature)
    assert (void.voided_by, void.reason) == (enrolment.assessor, "Look again")


def test_a_signature_a_void_row_points_at_is_not_in_force(db):
    kept, voided = SignOffFactory(), SignOffVoidFactory().signature
    assert list(SignOff.objects.in_force().filter(pk__in=[kept.pk, voided.pk])) == [kept]
    assert (kept.is_valid, SignOff.objects.get(pk=voided.pk).is_valid) == (True, False)


def test_the_signature_has_no_field_a_void_could_overwrite(db):
    assert not {"voided_at", "voided_by", "void_reason"} & {
        field.name for field in SignOff._meta.concrete_fields
    }
