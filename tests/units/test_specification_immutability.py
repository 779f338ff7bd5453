"""An imported specification version never changes in place."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from units.models import Criterion, Group, RangeItem, Specification, SpecificationChangeError


@pytest.mark.parametrize(
    ("model", "field"),
    [(Specification, "title"), (Group, "title"), (Criterion, "text"), (RangeItem, "text")],
)
def test_saving_a_changed_row_of_an_imported_specification_is_refused(unit, model, field):
    row = model.objects.first()
    original = getattr(row, field)
    setattr(row, field, "changed")

    with pytest.raises(SpecificationChangeError, match="import a new version instead"):
        row.save()

    row.refresh_from_db()
    assert getattr(row, field) == original


def test_admin_shows_criteria_read_only(client, unit):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    criterion = Criterion.objects.get(specification=unit, ref="1.1")

    page = client.get(reverse("admin:units_criterion_change", args=[criterion.pk])).content.decode()

    assert "Analyse the features, principles, drivers, and values of:" in page
    assert 'name="text"' not in page
    assert (
        client.post(reverse("admin:units_criterion_change", args=[criterion.pk]), {"text": "x"}).status_code
        == 403
    )


def test_admin_offers_no_way_to_add_a_specification(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:units_specification_add")).status_code == 403


@pytest.mark.parametrize(
    "model",
    ["specification", "group", "criterion", "rangeitem", "indicativecontent", "guidance", "definition"],
)
def test_every_catalogue_model_is_listed_in_the_admin(client, unit, model):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:units_{model}_changelist")).status_code == 200
