"""Signed records an insider cannot rewrite (#13 items 2 and 3): every signature, void and IV decision carries the
centre key's Ed25519 signature; the database (PostgreSQL) or the ORM (SQLite) refuses to change or delete them;
and `verify_signatures` names whatever was changed behind the triggers' back."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection, transaction
from django.db.utils import DatabaseError

from assessments.models import Judgement, SignOff, SignOffVoid
from assessments.services.signatures import digest_of, reopen
from audit.models import AuditEntry
from quality.models import Sample, SampleDecision
from records.verification.signatures import verify_signatures
from signing.append_only import AppendOnlyError
from signing.keys import canonical, keyset
from tests.factories import EnrolmentFactory
from tests.quality.test_iqa_samples import admin_check, complete, decide, make_sample, signed_unit
from tests.tampering import behind_the_triggers

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the triggers are PostgreSQL's: run with DATABASE_URL=postgres://…",
)


@pytest.fixture
def enrolment(unit):
    return EnrolmentFactory(specifications=[unit])


@pytest.fixture
def completed(enrolment, unit):
    """A unit signed by the learner and the assessor, sampled and agreed, admin-checked and confirmed complete."""
    signed_unit(enrolment, unit)
    decide(make_sample(enrolment, unit, kind=Sample.Kind.SUMMATIVE))
    admin_check(enrolment, unit)
    complete(enrolment, unit)
    return enrolment


def label(signature: SignOff) -> str:
    return (
        f"{signature.specification.code} {signature.role} signature #{signature.pk} by "
        f"{signature.name_printed} ({signature.signed_at:%Y-%m-%d %H:%M})"
    )


def signed_entry(signature: SignOff) -> AuditEntry:
    return AuditEntry.objects.get(action="signoff.signed", subject_id=str(signature.pk))


def test_every_signature_and_iv_decision_is_signed_by_its_centres_key(completed):
    rows = [*SignOff.objects.filter(enrolment=completed), *SampleDecision.objects.all()]
    assert [type(row).__name__ for row in rows] == ["SignOff"] * 4 + ["SampleDecision"]
    for row in rows:
        key = keyset().get(row.key_id)
        assert (key.centre, key.algorithm) == (completed.centre_id, "Ed25519")
        statement = canonical({**row.statement(), "key_id": row.key_id})
        keyset().verify(row.key_id, statement, base64.b64decode(row.key_signature))
    assert verify_signatures() == []


def test_what_the_key_signs_names_the_signer_role_time_key_and_digest(completed):
    signature = SignOff.objects.get(enrolment=completed, role=SignOff.Role.ASSESSOR)
    statement = signature.statement()
    assert (statement["role"], statement["signer"], statement["signed_at"], statement["digest"]) == (
        "assessor", completed.assessor_id, signature.signed_at, digest_of(signature.covered),
    )  # fmt: skip
    assert signed_entry(signature).after["key_signature"] == signature.key_signature


@on_postgresql
def test_the_database_refuses_to_re_digest_a_sign_off(completed):
    signature = SignOff.objects.filter(enrolment=completed).first()
    covered = {**signature.covered, "lines": []}
    with (
        pytest.raises(DatabaseError, match="signed rows are append-only: UPDATE of assessments_signoff"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE assessments_signoff SET covered = %s, digest = %s WHERE id = %s",
            [json.dumps(covered), digest_of(covered), signature.pk],
        )


@on_postgresql
@pytest.mark.parametrize(
    "table", ["assessments_signoff", "assessments_signoffvoid", "quality_sampledecision"]
)
def test_the_database_refuses_to_delete_a_signed_row(completed, unit, table):
    reopen(user=completed.assessor, enrolment=completed, specification=unit, reason="A line was misread")
    with (
        pytest.raises(DatabaseError, match=f"signed rows are append-only: DELETE of {table}"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table}")


@on_postgresql
def test_the_database_refuses_to_change_a_judgement_a_signature_in_force_covers(completed):
    judgement = Judgement.objects.filter(evidence__enrolment=completed).first()
    with (
        pytest.raises(DatabaseError, match=f"judgement {judgement.pk} is covered by a signature in force"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE assessments_judgement SET met = false WHERE id = %s", [judgement.pk])


def test_a_sign_off_re_digested_behind_the_triggers_is_named(completed):
    signature = SignOff.objects.get(enrolment=completed, role=SignOff.Role.LEARNER)
    covered = {**signature.covered, "centre": "another-centre"}
    behind_the_triggers(
        "UPDATE assessments_signoff SET covered = %s, digest = %s WHERE id = %s",
        [json.dumps(covered), digest_of(covered), signature.pk],
    )
    problems = verify_signatures()
    assert problems[:2] == [
        f"{label(signature)}: the key signature does not verify: signature does not match key {signature.key_id}",
        f"{label(signature)}: its digest differs from the audit trail's (audit entry {signed_entry(signature).pk})",
    ]


def test_a_sign_off_re_signed_with_a_key_of_the_attackers_is_named(completed):
    signature = SignOff.objects.get(enrolment=completed, role=SignOff.Role.ASSESSOR)
    forged = f"centre-{completed.centre_id}-forged-ed25519"
    forgery = Ed25519PrivateKey.generate().sign(canonical({**signature.statement(), "key_id": forged}))
    behind_the_triggers(
        "UPDATE assessments_signoff SET key_id = %s, key_signature = %s WHERE id = %s",
        [forged, base64.b64encode(forgery).decode(), signature.pk],
    )
    assert verify_signatures()[:2] == [
        f"{label(signature)}: the key signature does not verify: unknown key id '{forged}' (not in the key set)",
        f"{label(signature)}: its key_id, key_signature differ from the audit trail's "
        f"(audit entry {signed_entry(signature).pk})",
    ]


def test_a_sign_off_stripped_of_its_key_signature_is_named(completed):
    signature = SignOff.objects.get(enrolment=completed, role=SignOff.Role.LEARNER)
    behind_the_triggers("UPDATE assessments_signoff SET key_signature = '' WHERE id = %s", [signature.pk])
    assert verify_signatures()[0] == (
        f"{label(signature)}: its key signature is gone, but the audit trail records one "
        f"(audit entry {signed_entry(signature).pk})"
    )


def test_a_deleted_void_row_is_named_and_the_signature_is_not_taken_as_in_force(completed, unit):
    reopen(user=completed.assessor, enrolment=completed, specification=unit, reason="A line was misread")
    learner = SignOff.objects.get(enrolment=completed, role=SignOff.Role.LEARNER)
    void = learner.void
    entry = AuditEntry.objects.get(action="signoff.voided")
    behind_the_triggers("DELETE FROM assessments_signoffvoid WHERE id = %s", [void.pk])
    assert (
        f"{label(learner)}: voided by void #{void.pk} (audit entry {entry.pk}), but that void row is gone: "
        "it must not count as in force"
    ) in verify_signatures()


def test_every_void_is_signed_and_verifies(completed, unit):
    voided = reopen(
        user=completed.assessor, enrolment=completed, specification=unit, reason="A line was misread"
    )
    voids = SignOffVoid.objects.filter(signature__in=voided)
    assert voids.count() == 4
    assert all(void.key_id.startswith(f"centre-{completed.centre_id}-") for void in voids)
    assert verify_signatures() == []


def test_a_void_moved_onto_another_signature_is_named(completed, unit):
    reopen(user=completed.assessor, enrolment=completed, specification=unit, reason="A line was misread")
    learner = SignOff.objects.get(enrolment=completed, role=SignOff.Role.LEARNER)
    signed_unit_again = SignOff.objects.create(
        enrolment=completed, specification=unit, role=SignOff.Role.LEARNER, signer=completed.learner,
        name_printed=completed.learner.full_name, signed_at=learner.signed_at, covered=learner.covered,
        digest=learner.digest,
    )  # fmt: skip
    behind_the_triggers(
        "UPDATE assessments_signoffvoid SET signature_id = %s WHERE id = %s",
        [signed_unit_again.pk, learner.void.pk],
    )
    problems = verify_signatures()
    assert any(
        p.startswith(
            f"void #{learner.void.pk} of {label(signed_unit_again)}: the key signature does not verify"
        )
        for p in problems
    )


def test_an_iv_decision_changed_behind_the_triggers_is_named(completed):
    decision = SampleDecision.objects.get()
    behind_the_triggers("UPDATE quality_sampledecision SET agrees = false WHERE id = %s", [decision.pk])
    problems = verify_signatures()
    assert any(
        p.endswith(f"the key signature does not verify: signature does not match key {decision.key_id}")
        for p in problems
    )
    assert any("its agrees differs from the audit trail's" in p for p in problems)


def test_a_judgement_slipped_into_what_an_iv_looked_at_is_named(enrolment, unit):
    signed_unit(enrolment, unit)
    looked_at = list(Judgement.objects.filter(evidence__enrolment=enrolment).order_by("pk"))
    decision = decide(make_sample(enrolment, unit), judgements=looked_at[:1])
    behind_the_triggers(
        "INSERT INTO quality_sampledecision_judgements (sampledecision_id, judgement_id) VALUES (%s, %s)",
        [decision.pk, looked_at[1].pk],
    )
    assert verify_signatures()[-1] == (
        f"IV decision #{decision.pk} on interim sample #{decision.sample_id} (L/652/0848 for "
        f"{enrolment.learner.full_name}): the judgements it points at differ from those its signed record looked at"
    )


@pytest.mark.parametrize("model", [SignOff, SignOffVoid, SampleDecision])
def test_the_orm_refuses_to_change_or_delete_a_signed_row(completed, unit, model):
    reopen(user=completed.assessor, enrolment=completed, specification=unit, reason="A line was misread")
    row = model.objects.first()
    with pytest.raises(AppendOnlyError, match="is signed and is never changed"):
        row.save()
    with pytest.raises(AppendOnlyError, match="is signed and is never deleted"):
        row.delete()
    with pytest.raises(AppendOnlyError, match="are signed: never changed"):
        model.objects.update(key_id="x")
    with pytest.raises(AppendOnlyError, match="are signed: never deleted"):
        model.objects.all().delete()


def test_the_orm_refuses_to_change_a_frozen_judgement_and_allows_it_once_reopened(completed, unit):
    judgement = Judgement.objects.filter(evidence__enrolment=completed).first()
    judgement.feedback = "Rewritten"
    with pytest.raises(
        AppendOnlyError, match=f"judgement #{judgement.pk} is covered by a signature in force"
    ):
        judgement.save()
    with pytest.raises(AppendOnlyError, match="covered by a signature in force"):
        Judgement.objects.filter(pk=judgement.pk).update(met=False)
    reopen(user=completed.assessor, enrolment=completed, specification=unit, reason="A line was misread")
    judgement.save()
