"""Signed checkpoints of each chain's head (`checkpoint_audit`, after each sign-off) and `verify_audit
--checkpoints DIR`, which finds a rewritten chain from copies kept away from the database."""

import base64
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments.services.observations import record_observation
from assessments.services.signatures import sign_off
from audit.checkpoints import KIND, signed_payload
from audit.models import AuditChangeError, AuditCheckpoint, AuditEntry
from audit.services import entry_hash, record, verify_chain
from signing.keys import keyset, sign
from tests.factories import DEFAULT_PASSWORD, CentreFactory, EnrolmentFactory, lines_of


def write(count: int, centre=None) -> list[AuditEntry]:
    return [
        record(
            actor=None,
            action="evidence.updated",
            summary=f"change {n}",
            subject=("portfolio.evidence", n),
            centre=centre,
        )
        for n in range(1, count + 1)
    ]


def files_in(directory: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))]


def rehash(tamper, centre, *, sequence: int, summary: str) -> None:
    """Edit one entry and re-hash every entry after it in its chain with the app's own function, as an insider
    who can write to the database could: the chain is whole again, only its head differs."""
    tamper(
        "UPDATE {table} SET summary = %s WHERE centre_id = %s AND sequence = %s",
        [summary, centre.pk, sequence],
    )
    previous = AuditEntry.objects.get(centre=centre, sequence=sequence - 1).entry_hash
    for entry in AuditEntry.objects.filter(centre=centre, sequence__gte=sequence).order_by("sequence"):
        entry.previous_hash = previous
        previous = entry_hash(entry)
        tamper(
            "UPDATE {table} SET previous_hash = %s, entry_hash = %s WHERE id = %s",
            [entry.previous_hash, previous, entry.pk],
        )


@pytest.fixture
def production_keys(settings, tmp_path):
    """As in production: no development keys are made on demand, and no centre has a key yet."""
    settings.SIGNING_DEVELOPMENT_KEYS = False
    settings.SIGNING_KEY_DIR = tmp_path / "no-keys-yet"
    settings.SIGNING_KEYSET = settings.SIGNING_KEY_DIR / "keys.json"


@pytest.fixture
def centre(db):
    return CentreFactory()


def test_checkpoint_audit_signs_each_chains_head_with_its_centres_key(centre, tmp_path, capsys):
    site = write(2)
    centres = write(3, centre)

    call_command("checkpoint_audit", out=tmp_path)

    assert list(AuditCheckpoint.objects.values_list("chain", "sequence", "entry_hash")) == [
        ("site", 2, site[1].entry_hash),
        (f"centre-{centre.pk}", 3, centres[2].entry_hash),
    ]
    written = files_in(tmp_path)
    assert [(f["kind"], f["chain"], f["sequence"], f["hash"]) for f in written] == [
        (KIND, f"centre-{centre.pk}", 3, centres[2].entry_hash),
        (KIND, "site", 2, site[1].entry_hash),
    ]
    assert [keyset().get(f["key_id"]).centre for f in written] == [centre.pk, None]
    for checkpoint in AuditCheckpoint.objects.all():
        payload = signed_payload(
            chain=checkpoint.chain,
            sequence=checkpoint.sequence,
            entry_hash=checkpoint.entry_hash,
            at=checkpoint.at,
        )
        keyset().verify(checkpoint.key_id, payload, base64.b64decode(checkpoint.signature))
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("chain site: signed checkpoint of entry 2 (site-2-")
    assert out[-1] == f"2 checkpoint(s) made, 0 chain(s) unchanged; files in {tmp_path}"


def test_a_chain_whose_head_has_not_moved_is_not_signed_again(centre, tmp_path, capsys):
    write(1, centre)
    call_command("checkpoint_audit", out=tmp_path)
    write(1)
    call_command("checkpoint_audit", out=tmp_path)

    assert list(AuditCheckpoint.objects.values_list("chain", flat=True)) == [f"centre-{centre.pk}", "site"]
    assert len(files_in(tmp_path)) == 2
    out = capsys.readouterr().out.splitlines()
    assert out[-3].startswith("chain site: signed checkpoint of entry 1 ")
    assert out[-2].startswith(f"chain centre-{centre.pk}: unchanged since checkpoint of entry 1 ")
    assert out[-1] == f"1 checkpoint(s) made, 1 chain(s) unchanged; files in {tmp_path}"


def test_checkpoint_files_go_to_checkpoint_dir_by_default(centre, checkpoint_dir):
    write(1, centre)
    call_command("checkpoint_audit")

    assert [f["chain"] for f in files_in(checkpoint_dir)] == [f"centre-{centre.pk}"]


def test_checkpoint_audit_names_a_chain_it_cannot_sign_and_fails(centre, tmp_path, production_keys, capsys):
    write(1, centre)

    with pytest.raises(CommandError, match=r"^1 chain\(s\) not checkpointed$"):
        call_command("checkpoint_audit", out=tmp_path)

    assert capsys.readouterr().err.splitlines() == [
        f"chain centre-{centre.pk}: no checkpoint made: centre {centre.pk} has no Ed25519 signing key: run "
        f"`python manage.py create_signing_key --centre {centre.pk}`"
    ]
    assert AuditCheckpoint.objects.count() == 0


def test_checkpoints_are_never_changed_or_deleted(centre, tmp_path):
    write(1, centre)
    call_command("checkpoint_audit", out=tmp_path)
    checkpoint = AuditCheckpoint.objects.get()

    with pytest.raises(AuditChangeError, match="cannot be changed"):
        checkpoint.save()
    with pytest.raises(AuditChangeError, match="cannot be deleted"):
        checkpoint.delete()
    with pytest.raises(AuditChangeError, match="never changed"):
        AuditCheckpoint.objects.update(sequence=9)
    with pytest.raises(AuditChangeError, match="never deleted"):
        AuditCheckpoint.objects.all().delete()


# After a sign-off


def signed_by_the_learner(unit):
    enrolment = EnrolmentFactory(specifications=[unit])
    record_observation(
        assessor=enrolment.assessor,
        enrolment=enrolment,
        date="2026-10-01",
        setting="Riverside",
        observed="Led the team meeting.",
        title="Observation",
        targets=lines_of(unit),
    )
    sign_off(user=enrolment.learner, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)
    return enrolment


def test_a_sign_off_checkpoints_its_centres_chain_when_it_commits(
    unit, checkpoint_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = signed_by_the_learner(unit)

    head = AuditEntry.objects.filter(centre=enrolment.centre).order_by("sequence").last()
    assert head.action == "signoff.signed"
    assert list(AuditCheckpoint.objects.values_list("chain", "sequence", "entry_hash")) == [
        (f"centre-{enrolment.centre_id}", head.sequence, head.entry_hash)
    ]
    assert [(f["chain"], f["sequence"]) for f in files_in(checkpoint_dir)] == [
        (f"centre-{enrolment.centre_id}", head.sequence)
    ]


def test_a_checkpoint_file_that_cannot_be_written_after_a_sign_off_is_logged_and_written_by_the_timer(
    unit, settings, tmp_path, caplog, django_capture_on_commit_callbacks
):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.CHECKPOINT_DIR = blocked
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = signed_by_the_learner(unit)

    assert AuditEntry.objects.filter(action="signoff.signed").count() == 1  # the sign-off stands
    chain = f"centre-{enrolment.centre_id}"
    assert [r.getMessage() for r in caplog.records if r.name == "audit.checkpoints"] == [
        f"audit checkpoint of chain {chain} failed (the next checkpoint_audit covers it): [Errno 17] File exists: '{blocked}'"
    ]
    call_command("checkpoint_audit", out=tmp_path / "kept")
    assert [f["chain"] for f in files_in(tmp_path / "kept")] == [chain]
    assert AuditCheckpoint.objects.count() == 1  # the checkpoint signed after the sign-off, now written out


# Verifying against checkpoints kept elsewhere


@pytest.fixture
def kept(centre, tmp_path) -> Path:
    """Two chains checkpointed, the files copied away from the database (here: a directory of the test's)."""
    write(2)
    write(4, centre)
    call_command("checkpoint_audit", out=tmp_path)
    return tmp_path


def test_an_untouched_trail_agrees_with_its_checkpoints(kept, capsys):
    write(1)  # entries after the checkpoint are fine: the next checkpoint covers them

    call_command("verify_audit", checkpoints=kept)

    assert capsys.readouterr().out.splitlines()[0] == (
        f"audit trail intact: 7 entries in 2 chains; signed checkpoints agree: 2 in the database and 2 from {kept}"
    )


def test_a_rehashed_chain_fails_against_kept_checkpoints_with_the_databases_deleted(
    centre, kept, tamper, capsys
):
    rehash(tamper, centre, sequence=2, summary="nothing happened")
    tamper("DELETE FROM audit_auditcheckpoint", [])
    assert verify_chain() == []
    call_command("verify_audit")  # the database alone says nothing is wrong

    with pytest.raises(CommandError, match=r"^audit trail broken: 1 problem\(s\)$"):
        call_command("verify_audit", checkpoints=kept)

    forged = AuditEntry.objects.get(centre=centre, sequence=4).entry_hash
    [problem] = capsys.readouterr().err.splitlines()
    assert problem.startswith(
        f"chain centre-{centre.pk}: entry 4 has hash {forged[:12]}…, but the checkpoint of "
    )
    assert problem.endswith(
        f" signed {json.loads(next(kept.glob('centre-*')).read_text())['hash'][:12]}…: the chain was rewritten"
    )


def test_a_chain_cut_short_fails_against_kept_checkpoints(centre, kept, tamper, capsys):
    tamper("DELETE FROM {table} WHERE centre_id = %s AND sequence >= %s", [centre.pk, 3])
    tamper("DELETE FROM audit_auditcheckpoint", [])

    with pytest.raises(CommandError, match=r"problem"):
        call_command("verify_audit", checkpoints=kept)

    [problem] = capsys.readouterr().err.splitlines()
    assert problem.startswith(f"chain centre-{centre.pk}: entry 4 is missing, but the checkpoint of ")
    assert problem.endswith(": the chain was cut short or rewritten")


def test_the_databases_own_checkpoints_are_checked_without_a_directory(centre, kept, tamper, capsys):
    rehash(tamper, centre, sequence=3, summary="nothing happened")

    with pytest.raises(CommandError, match=r"problem"):
        call_command("verify_audit")

    [problem] = capsys.readouterr().err.splitlines()
    assert problem.startswith(f"chain centre-{centre.pk}: entry 4 has hash ")
    assert "(database checkpoint " in problem


def test_a_checkpoint_file_rewritten_without_the_key_is_not_trusted(centre, kept, tamper, capsys):
    rehash(tamper, centre, sequence=2, summary="nothing happened")
    tamper("DELETE FROM audit_auditcheckpoint", [])
    path = next(kept.glob("centre-*"))
    data = json.loads(path.read_text())
    data["hash"] = AuditEntry.objects.get(centre=centre, sequence=4).entry_hash
    path.write_text(json.dumps(data))

    with pytest.raises(CommandError, match=r"problem"):
        call_command("verify_audit", checkpoints=kept)

    assert capsys.readouterr().err.splitlines() == [
        f"{path}: checkpoint of chain centre-{centre.pk} entry 4 is not trusted: signature does not match key "
        f"{data['key_id']}"
    ]


def test_a_checkpoint_signed_with_another_centres_key_is_not_trusted(centre, kept, capsys):
    other = CentreFactory()
    head = AuditEntry.objects.get(centre=centre, sequence=4)
    at = AuditCheckpoint.objects.get(chain=f"centre-{centre.pk}").at
    chain = f"centre-{centre.pk}"
    key_id, signature = sign(
        other.pk, signed_payload(chain=chain, sequence=4, entry_hash=head.entry_hash, at=at)
    )
    forged = kept / "forged.json"
    forged.write_text(
        json.dumps(
            {
                "kind": KIND,
                "chain": chain,
                "sequence": 4,
                "hash": head.entry_hash,
                "at": at.isoformat(),
                "key_id": key_id,
                "signature": base64.b64encode(signature).decode(),
            }
        )
    )

    with pytest.raises(CommandError, match=r"problem"):
        call_command("verify_audit", checkpoints=kept)

    assert capsys.readouterr().err.splitlines() == [
        f"{forged}: checkpoint of chain {chain} entry 4 is not trusted: key {key_id} does not sign for chain {chain}"
    ]


def test_an_unreadable_checkpoint_file_is_named_in_one_line(kept, capsys):
    (kept / "huge.json").write_text(json.dumps({**files_in(kept)[0], "sequence": 2**64}))
    (kept / "broken.json").write_text("{not json")
    (kept / "other.json").write_text('{"kind": "something else"}')

    with pytest.raises(CommandError, match=r"^audit trail broken: 3 problem\(s\)$"):
        call_command("verify_audit", checkpoints=kept)

    assert capsys.readouterr().err.splitlines() == [
        f"{kept / 'broken.json'}: not an audit checkpoint (Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1))",
        f'{kept / "huge.json"}: not an audit checkpoint ("sequence" {2**64} is not an entry\'s place in a chain)',
        f'{kept / "other.json"}: not an audit checkpoint ("kind" is not "{KIND}")',
    ]


def test_a_database_checkpoint_rewritten_behind_the_apps_back_is_not_trusted(centre, kept, tamper, capsys):
    row = AuditCheckpoint.objects.get(chain=f"centre-{centre.pk}")
    tamper("UPDATE audit_auditcheckpoint SET signature = %s WHERE id = %s", ["not base64!", row.pk])

    with pytest.raises(CommandError, match=r"^audit trail broken: 1 problem\(s\)$"):
        call_command("verify_audit")

    assert capsys.readouterr().err.splitlines() == [
        f"database checkpoint {row.pk}: checkpoint of chain centre-{centre.pk} entry 4 is not trusted: signature "
        f"does not match key {row.key_id}"
    ]


def test_a_directory_that_is_not_there_or_holds_no_checkpoints_fails(db, tmp_path):
    with pytest.raises(CommandError, match=rf"^{tmp_path / 'nowhere'}: no such directory of checkpoints$"):
        call_command("verify_audit", checkpoints=tmp_path / "nowhere")
    with pytest.raises(CommandError, match=r"^audit trail broken: 1 problem\(s\)$"):
        call_command("verify_audit", checkpoints=tmp_path)


def test_checkpoints_verify_with_a_saved_copy_of_the_published_key_set(kept, tmp_path_factory, capsys):
    saved = tmp_path_factory.mktemp("published") / "portfolio-keys.json"
    saved.write_text(json.dumps(keyset().to_json()))

    call_command("verify_audit", checkpoints=kept, keys=saved)

    assert f"signed checkpoints agree: 2 in the database and 2 from {kept}" in capsys.readouterr().out
