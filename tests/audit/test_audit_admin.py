"""The audit trail and its checkpoints in the Django admin: shown to the operator, changed by no one."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from audit.models import AuditCheckpoint, AuditEntry
from tests.factories import UserFactory


@pytest.mark.parametrize("model", [AuditEntry, AuditCheckpoint])
@pytest.mark.parametrize("permission", ["add", "change", "delete"])
def test_no_one_adds_changes_or_deletes_audit_records_in_the_admin(db, model, permission):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = admin.site._registry[model]
    assert getattr(model_admin, f"has_{permission}_permission")(request) is False
    assert model_admin.has_view_permission(request) is True
