"""The portable export: what a learner's ZIP and a cohort's ZIP hold, and how their manifests describe them."""

import datetime
import hashlib
import io
import json
from typing import Any
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Review, SignOff
from assessments.services.judging import Decision, save_judgements
from assessments.services.judging import decide as decide_evidence
from assessments.services.signatures import reopen
from centres.models import Enrolment, Membership
from portfolio.models import Evidence, EvidenceFile
from portfolio.services import files
from portfolio.services.evidence import submit_evidence
from portfolio.uploads import check_file
from quality.models import Action, SampleDecision
from records.exports import safe_name, write_cohort_export, write_learner_export
from records.pdf import completion_record_filename
from tests.assessments.test_assessment_rules import accept
from tests.factories import (
    EnrolmentFactory,
    bulk_portfolio,
    create_evidence_for,
    judged_met,
    lines_of,
    member,
)
from tests.quality.test_iqa_samples import decide, make_sample, signed_unit
from tests.records.conftest import documented_evidence
from tests.samples import OTHER_PDF, PDF, PNG, TEXT

# The records' content is tested in test_completion_record.py: here a plain PDF stands in, to save seconds.
pytestmark = pytest.mark.usefixtures("plain_records")


def learner_zip(enrolment: Enrolment) -> ZipFile:
    out = io.BytesIO()
    write_learner_export(enrolment=enrolment, out=out)
    return ZipFile(out)


def manifest_of(archive: ZipFile) -> dict[str, Any]:
    return json.loads(archive.read("manifest.json"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def person(user) -> dict[str, Any]:
    return {"id": user.pk, "name": user.full_name}


def upload(enrolment: Enrolment, evidence: Evidence, *, name: str, content: bytes) -> EvidenceFile:
    (outcome,) = files.add_files(
        user=enrolment.learner, evidence=evidence, uploads=[check_file(io.BytesIO(content), name=name)]
    )
    assert outcome.ok, outcome.error
    return outcome.evidence_file


def replace(enrolment: Enrolment, evidence_file: EvidenceFile, *, name: str, content: bytes) -> EvidenceFile:
    outcome = files.replace_file(
        user=enrolment.learner, evidence_file=evidence_file, upload=check_file(io.BytesIO(content), name=name)
    )
    assert outcome.ok, outcome.error
    return outcome.evidence_file


def test_a_learner_export_holds_the_completion_record_of_each_enrolled_specification(unit, standard):
    enrolment = EnrolmentFactory(specifications=[unit, standard])
    archive = learner_zip(enrolment)
    expected = [
        f"records/{completion_record_filename(enrolment=enrolment, specification=unit)}",
        f"records/{completion_record_filename(enrolment=enrolment, specification=standard)}",
    ]
    assert [name for name in archive.namelist() if name.startswith("records/")] == expected
    assert [archive.read(name)[:5] for name in expected] == [b"%PDF-", b"%PDF-"]


def test_every_current_file_is_under_its_evidence_number_as_uploaded(unit_in_progress):
    archive = learner_zip(unit_in_progress)
    assert [name for name in archive.namelist() if name.startswith("evidence/")] == [
        "evidence/E1/reflective-account.pdf",
        "evidence/E2/care-plan.png",
    ]
    assert archive.read("evidence/E1/reflective-account.pdf") == PDF
    assert archive.read("evidence/E2/care-plan.png") == PNG


def test_earlier_versions_are_kept_in_their_own_folder_numbered_in_order(unit_in_progress):
    evidence = create_evidence_for(unit_in_progress, title="Care plan review")
    first = upload(unit_in_progress, evidence, name="plan.pdf", content=PDF)
    second = replace(unit_in_progress, first, name="plan.pdf", content=OTHER_PDF)
    replace(unit_in_progress, second, name="plan.png", content=PNG)
    archive = learner_zip(unit_in_progress)
    assert sorted(name for name in archive.namelist() if name.startswith("evidence/E3/")) == [
        "evidence/E3/earlier-versions/plan (version 1).pdf",
        "evidence/E3/earlier-versions/plan (version 2).pdf",
        "evidence/E3/plan.png",
    ]
    assert archive.read("evidence/E3/earlier-versions/plan (version 1).pdf") == PDF
    assert archive.read("evidence/E3/earlier-versions/plan (version 2).pdf") == OTHER_PDF
    assert archive.read("evidence/E3/plan.png") == PNG


def test_the_manifest_says_which_version_each_file_is_and_which_it_replaces(unit_in_progress):
    evidence = create_evidence_for(unit_in_progress, title="Care plan review")
    first = upload(unit_in_progress, evidence, name="plan.pdf", content=PDF)
    replace(unit_in_progress, first, name="plan.png", content=PNG)
    e3 = manifest_of(learner_zip(unit_in_progress))["evidence"][2]
    assert [(f["path"], f["current"], f["version"], f["replaces"]) for f in e3["files"]] == [
        ("evidence/E3/earlier-versions/plan (version 1).pdf", False, 1, None),
        ("evidence/E3/plan.png", True, 2, "evidence/E3/earlier-versions/plan (version 1).pdf"),
    ]


@pytest.mark.parametrize(
    ("typed", "safe"),
    [
        ("care-plan.png", "care-plan.png"),
        ("CON.pdf", "_CON.pdf"),
        ("lpt1", "_lpt1"),
        ("..\\..\\Windows\\evil.pdf", "evil.pdf"),
        ("../../etc/passwd", "passwd"),
        (".hidden.pdf", "hidden.pdf"),
        ("notes. . ", "notes"),
        ('a<b>:c"d|e?f*.pdf', "a_b__c_d_e_f_.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("line\nbreak\ttab.pdf", "line break tab.pdf"),
        ("Cafe\u0301 notes.pdf", "Café notes.pdf"),
        ("", "unnamed file"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_a_file_name_becomes_one_safe_path_part_on_every_system(typed, safe):
    assert safe_name(typed) == safe


def test_duplicate_and_reserved_file_names_become_distinct_safe_paths(unit_in_progress):
    evidence = create_evidence_for(unit_in_progress, title="Photos of the activity board")
    upload(unit_in_progress, evidence, name="Care-Plan.png", content=PNG)
    upload(unit_in_progress, evidence, name="care-plan.png", content=PNG + b"second")
    upload(unit_in_progress, evidence, name="care-plan.png", content=PNG + b"third")
    upload(unit_in_progress, evidence, name="CON.pdf", content=PDF)
    upload(unit_in_progress, evidence, name="earlier-versions", content=TEXT)
    archive = learner_zip(unit_in_progress)
    assert [name for name in archive.namelist() if name.startswith("evidence/E3/")] == [
        "evidence/E3/Care-Plan.png",
        "evidence/E3/care-plan (2).png",
        "evidence/E3/care-plan (3).png",
        "evidence/E3/_CON.pdf",
        "evidence/E3/earlier-versions.txt",  # named for its type, it no longer meets the folder's name
    ]
    assert [f["original_name"] for f in manifest_of(archive)["evidence"][2]["files"]] == [
        "Care-Plan.png",
        "care-plan.png",
        "care-plan.png",
        "CON.pdf",
        "earlier-versions",
    ]


def test_an_exported_file_is_named_for_what_it_is(unit_in_progress):
    evidence = create_evidence_for(unit_in_progress, title="Supervision notes")
    upload(unit_in_progress, evidence, name="report.html", content=PDF)
    upload(unit_in_progress, evidence, name="invoice\u202egpj.exe", content=OTHER_PDF)
    archive = learner_zip(unit_in_progress)
    assert [name for name in archive.namelist() if name.startswith("evidence/E3/")] == [
        "evidence/E3/report.pdf",
        "evidence/E3/invoicegpj.pdf",
    ]


def test_an_evidence_file_missing_from_storage_stops_the_export_naming_whose_it_is(unit_in_progress):
    stored = EvidenceFile.objects.get(
        evidence__enrolment=unit_in_progress, original_name="care-plan.png"
    ).file
    stored.storage.delete(stored.name)
    with pytest.raises(FileNotFoundError) as raised:
        learner_zip(unit_in_progress)
    assert raised.value.filename == f"Amara Okafor's E2 “care-plan.png” ({stored.name})"


def test_compressed_media_is_stored_as_it_is_and_text_is_deflated(unit_in_progress):
    evidence = create_evidence_for(unit_in_progress, title="Notes")
    upload(unit_in_progress, evidence, name="notes.txt", content=TEXT)
    archive = learner_zip(unit_in_progress)
    assert {
        name: archive.getinfo(name).compress_type
        for name in ("evidence/E2/care-plan.png", "evidence/E3/notes.txt", "manifest.json")
    } == {
        "evidence/E2/care-plan.png": ZIP_STORED,
        "evidence/E3/notes.txt": ZIP_DEFLATED,
        "manifest.json": ZIP_DEFLATED,
    }


def test_the_manifest_names_the_centre_the_learner_and_the_enrolment(completed_unit):
    manifest = manifest_of(learner_zip(completed_unit))
    assert manifest["format"] == "portfolio-export/1"
    assert manifest["generator"]["name"] == "evidence-portfolio"
    assert manifest["centre"] == {
        "id": completed_unit.centre_id,
        "code": completed_unit.centre.code,
        "name": "Riverside Care Academy",
    }
    assert manifest["learner"] == {"id": completed_unit.learner.pk, "name": "Amara Okafor"}
    assert manifest["enrolment"] == {
        "id": completed_unit.pk,
        "assessor": {"id": completed_unit.assessor.pk, "name": "Brendan Walsh"},
        "internal_verifier": {"id": completed_unit.internal_verifier.pk, "name": "Catherine Lloyd"},
        "start_date": "2026-09-01",
        "status": "active",
        "group": "",
    }


def test_the_manifest_gives_each_specification_version_with_its_digest_and_record_hash(completed_unit, unit):
    archive = learner_zip(completed_unit)
    path = f"records/{completion_record_filename(enrolment=completed_unit, specification=unit)}"
    assert manifest_of(archive)["specifications"] == [
        {
            "kind": "unit",
            "code": "L/652/0848",
            "title": unit.title,
            "version": unit.version,
            "content_digest": unit.content_digest,
            "record": {"path": path, "sha256": sha256(archive.read(path))},
        }
    ]


def test_the_manifest_describes_each_piece_of_evidence_as_the_database_holds_it(completed_unit):
    manifest = manifest_of(learner_zip(completed_unit))
    pieces = Evidence.objects.filter(enrolment=completed_unit).select_related("method").order_by("number")
    assert [
        (p["reference"], p["title"], p["method"]["code"], p["date"], p["status"], p["narrative"])
        for p in manifest["evidence"]
    ] == [(e.reference, e.title, e.method.code, e.date.isoformat(), e.status, e.narrative) for e in pieces]
    first, e1 = manifest["evidence"][0], pieces[0]
    assert (first["declared_at"], first["declared_by"], first["submitted_at"]) == (
        e1.declared_at.isoformat(),
        {"id": completed_unit.learner.pk, "name": "Amara Okafor"},
        e1.submitted_at.isoformat(),
    )
    (evidence_file,) = e1.files.all()
    assert first["files"] == [
        {
            "path": "evidence/E1/reflective-account.pdf",
            "original_name": "reflective-account.pdf",
            "size": len(PDF),
            "content_type": "application/pdf",
            "sha256": sha256(PDF),
            "sha256_at_upload": sha256(PDF),
            "uploaded_at": evidence_file.uploaded_at.isoformat(),
            "uploaded_by": {"id": completed_unit.learner.pk, "name": "Amara Okafor"},
            "current": True,
            "version": 1,
            "replaces": None,
        }
    ]


def test_witness_testimony_is_exported_with_the_witness(unit_in_progress):
    create_evidence_for(
        unit_in_progress,
        title="Testimony from the registered manager",
        method_code="WT",
        witness_name="Grace Mensah",
        witness_role="Registered manager",
        witness_relationship="Line manager",
    )
    e3 = manifest_of(learner_zip(unit_in_progress))["evidence"][2]
    assert (e3["method"], e3["witness"]) == (
        {"code": "WT", "label": "Witness testimony"},
        {"name": "Grace Mensah", "role": "Registered manager", "relationship": "Line manager"},
    )


def test_the_manifest_keeps_every_mapping_review_and_round_of_judgement(unit_in_progress, unit):
    lines = lines_of(unit)
    evidence = documented_evidence(
        unit_in_progress, lines[5:7], title="Account of a handover", name="handover.pdf", content=OTHER_PDF
    )
    assessor = unit_in_progress.assessor
    mappings = list(evidence.mappings.order_by("pk"))
    save_judgements(
        assessor=assessor,
        evidence=evidence,
        version=evidence.version,
        decisions=[
            Decision(mapping_id=mappings[0].pk, met=True),
            Decision(mapping_id=mappings[1].pk, met=False, feedback="Say who you handed over to."),
        ],
    )
    evidence.refresh_from_db()
    decide_evidence(assessor=assessor, evidence=evidence, version=evidence.version, accept=False, feedback="")
    submit_evidence(user=unit_in_progress.learner, evidence=evidence, declaration=True)
    evidence.refresh_from_db()
    save_judgements(
        assessor=assessor,
        evidence=evidence,
        version=evidence.version,
        decisions=[Decision(mapping_id=m.pk, met=True) for m in mappings],
    )
    accept(evidence)
    e3 = manifest_of(learner_zip(unit_in_progress))["evidence"][2]
    labels = [m.label for m in mappings]
    assert [(m["specification"]["code"], m["label"]) for m in e3["mappings"]] == [
        ("L/652/0848", labels[0]),
        ("L/652/0848", labels[1]),
    ]
    assert [(r["round"], r["decision"], r["assessor"]["name"]) for r in e3["reviews"]] == [
        (1, "referred", "Brendan Walsh"),
        (2, "accepted", "Brendan Walsh"),
    ]
    assert [(j["round"], j["label"], j["met"], j["feedback"]) for j in e3["judgements"]] == [
        (1, labels[0], True, ""),
        (1, labels[1], False, "Say who you handed over to."),
        (2, labels[0], True, ""),
        (2, labels[1], True, ""),
    ]


def test_the_manifest_carries_every_signature_with_the_record_it_covers(completed_unit):
    manifest = manifest_of(learner_zip(completed_unit))
    signatures = SignOff.objects.filter(enrolment=completed_unit).order_by("signed_at", "pk")
    assert [
        (s["role"], s["name_printed"], s["signed_at"], s["digest"], s["covered"], s["voided_at"])
        for s in manifest["signatures"]
    ] == [(s.role, s.name_printed, s.signed_at.isoformat(), s.digest, s.covered, None) for s in signatures]
    assert [s["role"] for s in manifest["signatures"]] == ["learner", "assessor", "admin_check", "completion"]


def test_a_voided_signature_is_exported_with_who_voided_it_and_why(unit):
    enrolment = EnrolmentFactory(specifications=[unit])
    signed_unit(enrolment, unit)
    reopen(
        user=enrolment.assessor,
        enrolment=enrolment,
        specification=unit,
        reason="Observation notes incomplete",
    )
    voided = SignOff.objects.get(enrolment=enrolment, role="assessor")
    exported = manifest_of(learner_zip(enrolment))["signatures"][1]
    assert (exported["role"], exported["voided_at"], exported["voided_by"], exported["void_reason"]) == (
        "assessor",
        voided.voided_at.isoformat(),
        person(enrolment.assessor),
        "Observation notes incomplete",
    )


def test_the_manifest_records_iqa_samples_with_their_decisions_and_actions(unit_in_progress, unit):
    decide(
        make_sample(unit_in_progress, unit),
        actions=[("Give page references in your feedback", datetime.date(2026, 12, 1))],
    )
    (sample,) = manifest_of(learner_zip(unit_in_progress))["samples"]
    assert (sample["kind"], sample["specification"], sample["internal_verifier"], sample["assessor"]) == (
        "interim",
        {"code": "L/652/0848", "version": unit.version},
        person(unit_in_progress.internal_verifier),
        person(unit_in_progress.assessor),
    )
    decision = sample["decision"]
    assert (decision["agrees"], decision["vacs"], decision["feedback"]) == (
        True,
        {"valid": True, "authentic": True, "current": True, "sufficient": True},
        "Clear, well-referenced decisions.",
    )
    assert [(j["evidence"], j["label"], j["round"]) for j in decision["judgements_sampled"]] == [
        ("E1", "1.1 a)", 1),
        ("E1", "1.1 b)", 1),
        ("E1", "1.1 c)", 1),
    ]
    assert [(a["text"], a["due_on"], a["status"], a["owner"]) for a in sample["actions"]] == [
        ("Give page references in your feedback", "2026-12-01", "open", person(unit_in_progress.assessor))
    ]


def test_the_manifest_lists_every_file_in_the_archive_with_its_size_and_sha256(completed_unit):
    archive = learner_zip(completed_unit)
    manifests = ("manifest.json", "manifest.sha256", "manifest.sig")
    members = [name for name in archive.namelist() if name not in manifests]
    assert {f["path"]: (f["size"], f["sha256"]) for f in manifest_of(archive)["files"]} == {
        name: (len(archive.read(name)), sha256(archive.read(name))) for name in members
    }


def test_manifest_sha256_holds_the_sha256_of_the_manifest(completed_unit):
    archive = learner_zip(completed_unit)
    assert (
        archive.read("manifest.sha256").decode()
        == f"{sha256(archive.read('manifest.json'))}  manifest.json\n"
    )


def cohort(unit) -> list[Enrolment]:
    first = EnrolmentFactory(specifications=[unit])
    centre = first.centre
    Enrolment.objects.filter(pk=first.pk).update(
        learner=member(centre, Membership.Role.LEARNER, full_name="Zoë Ávila")
    )
    second = EnrolmentFactory(
        centre=centre,
        specifications=[unit],
        learner=member(centre, Membership.Role.LEARNER, full_name="Amara Okafor"),
    )
    return [Enrolment.objects.get(pk=first.pk), second]


def test_a_cohort_export_holds_each_learners_zip_and_a_manifest_of_their_hashes(unit):
    first, second = cohort(unit)
    out = io.BytesIO()
    write_cohort_export(enrolments=[first, second], out=out)
    archive = ZipFile(out)
    paths = [f"learners/zoe-avila-{first.pk}.zip", f"learners/amara-okafor-{second.pk}.zip"]
    assert archive.namelist() == [*paths, "manifest.json", "manifest.sha256", "manifest.sig"]
    assert [archive.getinfo(path).compress_type for path in paths] == [ZIP_STORED, ZIP_STORED]
    manifest = manifest_of(archive)
    assert (manifest["format"], manifest["centres"]) == (
        "portfolio-cohort-export/1",
        [{"id": first.centre_id, "code": first.centre.code, "name": first.centre.name}],
    )
    assert manifest["learners"] == [
        {
            "path": path,
            "size": len(archive.read(path)),
            "sha256": sha256(archive.read(path)),
            "learner": person(enrolment.learner),
            "enrolment": enrolment.pk,
            "centre": first.centre.code,
        }
        for path, enrolment in zip(paths, (first, second), strict=True)
    ]
    assert manifest_of(ZipFile(io.BytesIO(archive.read(paths[0]))))["learner"]["name"] == "Zoë Ávila"


def test_a_cohort_export_reports_progress_after_each_learner(unit):
    progress = []
    write_cohort_export(
        enrolments=cohort(unit),
        out=io.BytesIO(),
        on_progress=lambda done, total: progress.append((done, total)),
    )
    assert progress == [(1, 2), (2, 2)]


def bulk_judged_portfolio(unit, *, pieces: int) -> Enrolment:
    """`pieces` pieces of evidence, each with an earlier and a current file, two judged mappings and a review,
    and an IQA sample with a decision and an action: every part of the manifest has rows to read."""
    enrolment = EnrolmentFactory(specifications=[unit])
    evidence = bulk_portfolio(enrolment, pieces=pieces, mappings=2 * pieces)
    now = timezone.now()
    for piece in evidence:
        earlier = EvidenceFile.objects.create(
            evidence=piece,
            file=ContentFile(PDF, name="upload.pdf"),
            original_name="account.pdf",
            size=len(PDF),
            content_type="application/pdf",
            sha256=sha256(PDF),
            uploaded_by=enrolment.learner,
            is_current=False,
        )
        EvidenceFile.objects.create(
            evidence=piece,
            file=ContentFile(OTHER_PDF, name="upload.pdf"),
            original_name="account.pdf",
            size=len(OTHER_PDF),
            content_type="application/pdf",
            sha256=sha256(OTHER_PDF),
            uploaded_by=enrolment.learner,
            replaces=earlier,
        )
    judgements = judged_met(enrolment)
    Review.objects.bulk_create(
        Review(evidence=piece, round=1, decision="accepted", assessor=enrolment.assessor, decided_at=now)
        for piece in evidence
    )
    sample = make_sample(enrolment, unit)
    decision = SampleDecision.objects.create(
        sample=sample,
        internal_verifier=enrolment.internal_verifier,
        agrees=True,
        valid=True,
        authentic=True,
        current=True,
        sufficient=True,
        feedback="Agreed.",
        decided_at=now,
    )
    decision.judgements.set(judgements)
    Action.objects.create(
        sample=sample,
        owner=enrolment.assessor,
        set_by=enrolment.internal_verifier,
        text="Cite the page",
        due_on=datetime.date(2026, 12, 1),
    )
    return enrolment


def queries_to_export(enrolment: Enrolment) -> int:
    with CaptureQueriesContext(connection) as queries:
        write_learner_export(enrolment=enrolment, out=io.BytesIO())
    return len(queries)


def test_a_learner_export_reads_the_database_in_as_many_queries_for_30_pieces_as_for_3(unit):
    few, many = bulk_judged_portfolio(unit, pieces=3), bulk_judged_portfolio(unit, pieces=30)
    assert len(manifest_of(learner_zip(many))["evidence"]) == 30
    assert queries_to_export(few) == queries_to_export(many)
