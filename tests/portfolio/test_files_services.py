"""The file services: who may add files, and that a failed write never leaves a stored file behind."""

import io

import pytest
from django.db import DatabaseError

from centres.models import Enrolment
from portfolio.models import EvidenceFile
from portfolio.services import PortfolioError, files
from portfolio.uploads import check_file
from tests.factories import EnrolmentFactory, create_evidence_for
from tests.samples import PDF, PNG


@pytest.fixture
def evidence(db):
    return create_evidence_for(EnrolmentFactory())


def stored_files(media) -> list:
    root = media.MEDIA_ROOT
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def checked(content: bytes, name: str = "plan.pdf"):
    return check_file(io.BytesIO(content), name=name)


def test_only_the_learner_adds_files_to_their_evidence(evidence, media):
    with (
        checked(PDF) as upload,
        pytest.raises(
            PortfolioError, match=r"^Only the learner can add or replace files in their evidence\.$"
        ),
    ):
        files.add_file(user=evidence.enrolment.assessor, evidence=evidence, upload=upload)
    assert stored_files(media) == []


def test_no_files_are_added_once_the_enrolment_is_withdrawn(evidence, media):
    Enrolment.objects.filter(pk=evidence.enrolment_id).update(status=Enrolment.Status.WITHDRAWN)
    evidence.enrolment.refresh_from_db()

    with (
        checked(PDF) as upload,
        pytest.raises(
            PortfolioError, match=r"^This enrolment is withdrawn: its evidence cannot be changed\.$"
        ),
    ):
        files.add_file(user=evidence.learner, evidence=evidence, upload=upload)
    assert stored_files(media) == []


def test_a_failed_database_write_removes_the_stored_file(evidence, media, monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(EvidenceFile, "save", fail)

    with checked(PDF) as upload, pytest.raises(DatabaseError, match="disk full"):
        files.add_file(user=evidence.learner, evidence=evidence, upload=upload)
    assert stored_files(media) == []
    assert EvidenceFile.objects.count() == 0


def test_a_duplicate_caught_only_by_the_database_is_refused_and_its_stored_file_removed(
    evidence, media, monkeypatch
):
    with checked(PDF) as upload:
        files.add_file(user=evidence.learner, evidence=evidence, upload=upload)
    monkeypatch.setattr(files, "_refuse_duplicate", lambda *args, **kwargs: None)  # as if two requests raced

    with (
        checked(PDF, name="again.pdf") as upload,
        pytest.raises(
            PortfolioError,
            match=r"^“again\.pdf” was not saved: the files of E1 changed at the same moment \(another upload or "
            r"replacement\)\. Reload the page and try again\.$",
        ),
    ):
        files.add_file(user=evidence.learner, evidence=evidence, upload=upload)
    assert EvidenceFile.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_several_files_are_added_one_by_one_and_a_refusal_does_not_undo_the_others(evidence, media):
    with checked(PDF, "a.pdf") as first, checked(PDF, "b.pdf") as same, checked(PNG, "c.png") as third:
        outcomes = files.add_files(user=evidence.learner, evidence=evidence, uploads=[first, same, third])

    assert [(outcome.name, outcome.ok) for outcome in outcomes] == [
        ("a.pdf", True),
        ("b.pdf", False),
        ("c.png", True),
    ]
    assert outcomes[1].error == "“b.pdf” was not added: it has the same content as “a.pdf”, already in E1."
    assert EvidenceFile.objects.count() == 2
    assert len(stored_files(media)) == 2


def test_a_replaced_file_keeps_its_stored_bytes(evidence, media):
    with checked(PDF, "plan.pdf") as upload:
        old = files.add_file(user=evidence.learner, evidence=evidence, upload=upload).evidence_file
    with checked(PNG, "plan.png") as upload:
        new = files.replace_file(user=evidence.learner, evidence_file=old, upload=upload).evidence_file

    old.refresh_from_db()
    assert (old.is_current, new.is_current, new.replaces_id) == (False, True, old.pk)
    assert old.file.read() == PDF
    assert new.file.read() == PNG
