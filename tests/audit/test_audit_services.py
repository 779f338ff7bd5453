"""Every change the portfolio's services make writes its audit entry, in the same transaction as the change."""

import datetime
import io

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import json_safe, record, verify_chain
from centres.models import Enrolment, Membership
from centres.services import CentreError, enrolments, people
from portfolio.models import Evidence, EvidenceFile, EvidenceMapping
from portfolio.services import PortfolioError, files, mappings, status
from portfolio.services import evidence as evidence_services
from portfolio.uploads import check_file
from tests.factories import (
    CentreFactory,
    EnrolmentFactory,
    create_evidence_for,
    create_specification,
    member,
    method,
)
from tests.samples import OTHER_PDF, PDF
from units.models import Criterion

Role = Membership.Role


@pytest.fixture
def specification(db):
    return create_specification(code="A/100/0001")


@pytest.fixture
def enrolment(specification):
    centre = CentreFactory(name="Riverside Care Academy")
    return EnrolmentFactory(
        centre=centre,
        specifications=[specification],
        learner=member(centre, Role.LEARNER, full_name="Lee Learner"),
    )


@pytest.fixture
def evidence(enrolment):
    return create_evidence_for(enrolment, title="Care review")


@pytest.fixture
def criterion(specification):
    return Criterion.objects.get(specification=specification, ref="1.1")


def mapped(evidence, criterion) -> EvidenceMapping:
    return mappings.add_mapping(
        user=evidence.learner, evidence=evidence, criterion=criterion, range_item=criterion.range_items.get()
    )


def last_entry() -> AuditEntry:
    return AuditEntry.objects.order_by("sequence").last()


def where(entry: AuditEntry) -> tuple:
    return entry.action, entry.actor, entry.learner, entry.centre


def checked(content: bytes, name: str):
    return check_file(io.BytesIO(content), name=name)


def failing_after_record(monkeypatch, module) -> None:
    """Make the module's `record` write its entry and then fail, as if the rest of the transaction did."""

    def record_then_fail(**kwargs):
        record(**kwargs)
        raise RuntimeError("failed after the entry was written")

    monkeypatch.setattr(module, "record", record_then_fail)


# Evidence


def test_creating_evidence_records_its_details(evidence):
    entry = AuditEntry.objects.get()

    assert where(entry) == ("evidence.created", evidence.learner, evidence.learner, evidence.centre)
    assert (entry.subject_type, entry.subject_id) == ("portfolio.evidence", str(evidence.pk))
    assert entry.summary == "E1 created as a draft: Care review"
    assert entry.before is None
    ra = method(evidence.centre)
    assert entry.after == {
        "status": "draft",
        "title": "Care review",
        "date": "2026-10-01",
        "method": {"id": ra.pk, "name": "RA Reflective account"},
        "narrative": "I led the review with the individual and their family.",
        "witness_name": "",
        "witness_role": "",
        "witness_relationship": "",
        "assessment_site": "",
    }


def test_evidence_created_twice_from_one_form_is_recorded_once(enrolment):
    key = "0d6f2b7e-5c1a-4f3e-8b9d-7a6c5e4d3b2a"
    create_evidence_for(enrolment, form_key=key)
    create_evidence_for(enrolment, form_key=key)

    assert AuditEntry.objects.count() == 1


def test_evidence_whose_entry_fails_is_not_created(enrolment, monkeypatch):
    failing_after_record(monkeypatch, evidence_services)

    with pytest.raises(RuntimeError, match="failed after the entry was written"):
        create_evidence_for(enrolment)

    assert (Evidence.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_changing_evidence_records_only_the_fields_that_changed(evidence):
    evidence_services.update_evidence(
        user=evidence.learner,
        evidence=evidence,
        title="Care review with the family",
        date=datetime.date(2026, 10, 2),
        method=evidence.method,
        narrative=evidence.narrative,
    )

    entry = last_entry()
    assert where(entry) == ("evidence.updated", evidence.learner, evidence.learner, evidence.centre)
    assert entry.summary == "E1 changed: title, date"
    assert (entry.before, entry.after) == (
        {"title": "Care review", "date": "2026-10-01"},
        {"title": "Care review with the family", "date": "2026-10-02"},
    )


def test_saving_evidence_unchanged_records_nothing(evidence):
    evidence_services.update_evidence(
        user=evidence.learner,
        evidence=evidence,
        title=evidence.title,
        date=evidence.date,
        method=evidence.method,
    )
    assert AuditEntry.objects.count() == 1  # its creation only


def test_a_refused_change_records_nothing(evidence):
    with pytest.raises(PortfolioError, match="Only the learner can change their evidence"):
        evidence_services.update_evidence(
            user=evidence.enrolment.assessor,
            evidence=evidence,
            title="Rewritten",
            date=evidence.date,
            method=evidence.method,
        )
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["evidence.created"]


# Mappings


def test_adding_a_mapping_records_the_criterion(evidence, criterion):
    mapping = mapped(evidence, criterion)

    entry = last_entry()
    assert where(entry) == ("mapping.added", evidence.learner, evidence.learner, evidence.centre)
    assert (entry.subject_type, entry.subject_id) == ("portfolio.evidencemapping", str(mapping.pk))
    assert entry.summary == "E1 mapped to A/100/0001 v1 1.1 a)"
    assert (entry.before, entry.after) == (
        None,
        {"specification": "A/100/0001 v1", "criterion": "1.1", "range_item": "a"},
    )


def test_removing_a_mapping_records_what_it_was(evidence, criterion):
    mapping = mapped(evidence, criterion)
    mapping_pk = mapping.pk

    mappings.remove_mapping(user=evidence.learner, mapping=mapping)

    entry = last_entry()
    assert where(entry) == ("mapping.removed", evidence.learner, evidence.learner, evidence.centre)
    assert (entry.subject_type, entry.subject_id) == ("portfolio.evidencemapping", str(mapping_pk))
    assert entry.summary == "E1 no longer mapped to A/100/0001 v1 1.1 a)"
    assert (entry.before, entry.after) == (
        {"specification": "A/100/0001 v1", "criterion": "1.1", "range_item": "a"},
        None,
    )


def test_a_mapping_whose_entry_fails_is_not_added(evidence, criterion, monkeypatch):
    failing_after_record(monkeypatch, mappings)

    with pytest.raises(RuntimeError):
        mapped(evidence, criterion)

    assert EvidenceMapping.objects.count() == 0
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["evidence.created"]


# Submission


def test_submitting_records_the_status_and_the_declaration(evidence, criterion):
    mapped(evidence, criterion)

    submitted = evidence_services.submit_evidence(user=evidence.learner, evidence=evidence, declaration=True)

    entry = last_entry()
    learner = evidence.learner
    assert where(entry) == ("evidence.submitted", learner, learner, evidence.centre)
    assert entry.summary == "E1 submitted with the learner's declaration that it is their own work"
    assert entry.before == {"status": "draft"}
    assert entry.after == {
        "status": "submitted",
        "declared_by": {"id": learner.pk, "name": "Lee Learner"},
        "declared_at": json_safe(submitted.declared_at),
        "submitted_at": json_safe(submitted.submitted_at),
    }


def test_resubmitting_referred_evidence_is_recorded_as_a_resubmission(evidence, criterion):
    mapped(evidence, criterion)
    Evidence.objects.filter(pk=evidence.pk).update(status=Evidence.Status.REFERRED)

    evidence_services.submit_evidence(user=evidence.learner, evidence=evidence, declaration=True)

    entry = last_entry()
    assert entry.action == "evidence.resubmitted"
    assert entry.summary == "E1 resubmitted with the learner's declaration that it is their own work"
    assert (entry.before["status"], entry.after["status"]) == ("referred", "resubmitted")


def test_a_submission_refused_for_want_of_a_mapping_records_nothing(evidence):
    with pytest.raises(PortfolioError, match="Map the evidence to at least one criterion"):
        evidence_services.submit_evidence(user=evidence.learner, evidence=evidence, declaration=True)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["evidence.created"]


def test_a_submission_whose_entry_fails_leaves_the_evidence_a_draft(evidence, criterion, monkeypatch):
    mapped(evidence, criterion)
    failing_after_record(monkeypatch, status)

    with pytest.raises(RuntimeError):
        evidence_services.submit_evidence(user=evidence.learner, evidence=evidence, declaration=True)

    evidence.refresh_from_db()
    assert (evidence.status, evidence.declared_at) == ("draft", None)
    assert AuditEntry.objects.filter(action="evidence.submitted").count() == 0


# Files


def test_adding_a_file_records_its_name_size_type_and_digest(evidence):
    with checked(PDF, "care plan.pdf") as upload:
        outcome = files.add_file(user=evidence.learner, evidence=evidence, upload=upload)

    entry = last_entry()
    added = outcome.evidence_file
    assert where(entry) == ("file.added", evidence.learner, evidence.learner, evidence.centre)
    assert (entry.subject_type, entry.subject_id) == ("portfolio.evidencefile", str(added.pk))
    assert entry.summary == "“care plan.pdf” added to E1"
    assert entry.after == {
        "name": "care plan.pdf",
        "size": len(PDF),
        "content_type": "application/pdf",
        "sha256": added.sha256,
    }


def test_replacing_a_file_records_both_versions(evidence):
    with checked(PDF, "plan.pdf") as upload:
        old = files.add_file(user=evidence.learner, evidence=evidence, upload=upload).evidence_file
    with checked(OTHER_PDF, "plan v2.pdf") as upload:
        new = files.replace_file(user=evidence.learner, evidence_file=old, upload=upload).evidence_file

    entry = last_entry()
    assert where(entry) == ("file.replaced", evidence.learner, evidence.learner, evidence.centre)
    assert entry.summary == "“plan v2.pdf” replaces “plan.pdf” in E1; the earlier version is kept"
    assert (entry.before["sha256"], entry.after["sha256"]) == (old.sha256, new.sha256)
    assert (entry.before["name"], entry.after["name"]) == ("plan.pdf", "plan v2.pdf")


def test_a_file_whose_entry_fails_is_not_added(evidence, monkeypatch):
    failing_after_record(monkeypatch, files)

    with checked(PDF, "plan.pdf") as upload, pytest.raises(RuntimeError):
        files.add_file(user=evidence.learner, evidence=evidence, upload=upload)

    assert EvidenceFile.objects.count() == 0
    assert AuditEntry.objects.filter(action="file.added").count() == 0


# People and enrolments


@pytest.fixture
def centre(db):
    return CentreFactory(name="Riverside Care Academy")


@pytest.fixture
def cast(centre):
    return {
        "admin": member(centre, Role.ADMIN, full_name="Dana Admin"),
        "learner": member(centre, Role.LEARNER, full_name="Lee Learner"),
        "assessor": member(centre, Role.ASSESSOR, full_name="Asha Assessor"),
        "iv": member(centre, Role.INTERNAL_VERIFIER, full_name="Ivan Verifier"),
    }


def enrol(centre, cast, specification, **fields):
    return enrolments.enrol(
        centre=centre,
        learner=cast["learner"],
        specifications=[specification],
        start_date=datetime.date(2026, 9, 1),
        assessor=cast["assessor"],
        internal_verifier=cast["iv"],
        **fields,
    )


def test_enrolling_records_who_enrolled_whom_on_what(centre, cast, specification):
    enrolment = enrol(centre, cast, specification, by=cast["admin"])

    entry = AuditEntry.objects.get()
    assert where(entry) == ("enrolment.created", cast["admin"], cast["learner"], centre)
    assert (entry.subject_type, entry.subject_id) == ("centres.enrolment", str(enrolment.pk))
    assert entry.summary == "Lee Learner enrolled on A/100/0001 v1 from 01/09/2026"
    assert entry.after == {
        "specifications": ["A/100/0001 v1"],
        "start_date": "2026-09-01",
        "assessor": {"id": cast["assessor"].pk, "name": "Asha Assessor"},
        "internal_verifier": {"id": cast["iv"].pk, "name": "Ivan Verifier"},
        "status": "Active",
        "group": "",
    }


def test_enrolling_without_saying_who_is_recorded_as_the_system(centre, cast, specification):
    enrol(centre, cast, specification)
    assert (AuditEntry.objects.get().actor, AuditEntry.objects.get().actor_name) == (None, "System")


def test_changing_an_enrolment_records_the_fields_that_changed(centre, cast, specification):
    enrolment = enrol(centre, cast, specification, by=cast["admin"])
    other_assessor = member(centre, Role.ASSESSOR, full_name="Bo Assessor")

    enrolments.update_enrolment(
        enrolment=enrolment, assessor=other_assessor, status=Enrolment.Status.ON_HOLD, by=cast["admin"]
    )

    entry = last_entry()
    assert where(entry) == ("enrolment.updated", cast["admin"], cast["learner"], centre)
    assert entry.summary == "Enrolment of Lee Learner changed: assessor, status"
    assert entry.before == {
        "assessor": {"id": cast["assessor"].pk, "name": "Asha Assessor"},
        "status": "Active",
    }
    assert entry.after == {"assessor": {"id": other_assessor.pk, "name": "Bo Assessor"}, "status": "On hold"}


def test_changing_an_enrolments_specifications_records_them(centre, cast, specification):
    enrolment = enrol(centre, cast, specification)
    second = create_specification(code="B/100/0002")

    enrolments.update_enrolment(enrolment=enrolment, specifications=[second, specification])

    assert (last_entry().before, last_entry().after) == (
        {"specifications": ["A/100/0001 v1"]},
        {"specifications": ["A/100/0001 v1", "B/100/0002 v1"]},
    )


def test_saving_an_enrolment_unchanged_records_nothing(centre, cast, specification):
    enrolment = enrol(centre, cast, specification)
    enrolments.update_enrolment(enrolment=enrolment, specifications=[specification], status="active")
    assert AuditEntry.objects.count() == 1


def test_the_enrolment_pages_record_the_administrator(client, centre, cast, specification):
    client.force_login(cast["admin"])
    data = {
        "learner": cast["learner"].pk,
        "specifications": [specification.pk],
        "start_date": "2026-09-01",
        "assessor": cast["assessor"].pk,
        "internal_verifier": cast["iv"].pk,
    }
    assert client.post(reverse("centres:enrolment_create", args=[centre.pk]), data).status_code == 302
    enrolment = Enrolment.objects.get()
    url = reverse("centres:enrolment_edit", args=[centre.pk, enrolment.pk])
    assert client.post(url, {**data, "status": "withdrawn"}).status_code == 302

    assert list(AuditEntry.objects.values_list("action", "actor", "after__status")) == [
        ("enrolment.created", cast["admin"].pk, "Active"),
        ("enrolment.updated", cast["admin"].pk, "Withdrawn"),
    ]


def test_registering_a_person_records_their_roles(centre, cast, mailoutbox):
    user = people.register_person(
        centre=centre,
        email="sam.lee@example.org",
        full_name="Sam Lee",
        roles=[Role.LEARNER],
        invited_by=cast["admin"],
        base_url="https://portfolio.example.org",
    )

    entry = AuditEntry.objects.get()
    assert where(entry) == ("centre.person_registered", cast["admin"], None, centre)
    assert (entry.subject_type, entry.subject_id) == ("accounts.user", str(user.pk))
    assert entry.summary == "Sam Lee registered at Riverside Care Academy as learner"
    assert (entry.before, entry.after) == (
        None,
        {"person": {"id": user.pk, "name": "Sam Lee"}, "roles": ["Learner"]},
    )


def test_giving_a_registered_person_another_role_records_before_and_after(centre, cast, mailoutbox):
    people.register_person(
        centre=centre,
        email=cast["assessor"].email,
        full_name="Asha Assessor",
        roles=[Role.INTERNAL_VERIFIER],
        invited_by=cast["admin"],
        base_url="https://portfolio.example.org",
    )

    entry = AuditEntry.objects.get()
    assert entry.summary == (
        "Asha Assessor (already registered) given the role of internal verifier at Riverside Care Academy"
    )
    assert (entry.before["roles"], entry.after["roles"]) == (["Assessor"], ["Assessor", "Internal verifier"])


def test_registering_someone_with_roles_they_hold_records_nothing(centre, cast, mailoutbox):
    people.register_person(
        centre=centre,
        email=cast["assessor"].email,
        full_name="Asha Assessor",
        roles=[Role.ASSESSOR],
        invited_by=cast["admin"],
        base_url="https://portfolio.example.org",
    )
    assert AuditEntry.objects.count() == 0


def test_changing_roles_records_them(centre, cast):
    people.set_roles(
        centre=centre,
        user=cast["iv"],
        roles=[Role.ASSESSOR, Role.INTERNAL_VERIFIER],
        changed_by=cast["admin"],
    )

    entry = AuditEntry.objects.get()
    assert where(entry) == ("centre.roles_changed", cast["admin"], None, centre)
    assert (
        entry.summary
        == "Ivan Verifier is now assessor and internal verifier at Riverside Care Academy (was internal verifier)"
    )
    assert (entry.before["roles"], entry.after["roles"]) == (
        ["Internal verifier"],
        ["Assessor", "Internal verifier"],
    )


def test_a_refused_role_change_records_nothing(centre, cast):
    with pytest.raises(CentreError, match="only administrator"):
        people.set_roles(centre=centre, user=cast["admin"], roles=[Role.EQA], changed_by=cast["admin"])
    assert AuditEntry.objects.count() == 0


def test_a_portfolios_working_leaves_an_intact_chain(evidence, criterion):
    mapping = mapped(evidence, criterion)
    mappings.remove_mapping(user=evidence.learner, mapping=mapping)
    mapped(evidence, criterion)
    evidence_services.submit_evidence(user=evidence.learner, evidence=evidence, declaration=True)

    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "evidence.created",
        "mapping.added",
        "mapping.removed",
        "mapping.added",
        "evidence.submitted",
    ]
    assert verify_chain() == []
