"""The audit trail's hash chain: written whole, and every gap or edit found by `verify_chain` and the command."""

import datetime
import decimal
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from audit.models import GENESIS_HASH, AuditChangeError, AuditEntry
from audit.services import AuditError, canonical, entry_hash, hashed_fields, record, verify_chain
from tests.factories import CentreFactory, UserFactory


@pytest.fixture
def actor(db):
    return UserFactory(full_name="Asha Assessor")


def write(actor, count: int = 1, **fields) -> list[AuditEntry]:
    centre = fields.pop("centre", None)
    return [
        record(
            actor=actor,
            action="evidence.updated",
            summary=f"change {number}",
            subject=("portfolio.evidence", number),
            centre=centre,
            **fields,
        )
        for number in range(1, count + 1)
    ]


def test_entries_are_numbered_from_one_and_each_names_the_hash_before_it(actor):
    entries = write(actor, 3)

    assert [entry.sequence for entry in entries] == [1, 2, 3]
    assert [entry.previous_hash for entry in entries] == [
        GENESIS_HASH,
        entries[0].entry_hash,
        entries[1].entry_hash,
    ]
    assert verify_chain() == []


def test_each_centre_has_its_own_chain_and_entries_of_no_centre_are_the_sites(actor):
    first, second = CentreFactory(), CentreFactory()
    a1, s1, b1, a2, s2 = (
        write(actor, centre=first)[0],
        write(actor)[0],
        write(actor, centre=second)[0],
        write(actor, centre=first)[0],
        write(actor)[0],
    )

    assert [(e.chain, e.sequence) for e in (a1, s1, b1, a2, s2)] == [
        (f"centre-{first.pk}", 1),
        ("site", 1),
        (f"centre-{second.pk}", 1),
        (f"centre-{first.pk}", 2),
        ("site", 2),
    ]
    assert [a1.previous_hash, b1.previous_hash, s1.previous_hash] == [GENESIS_HASH] * 3
    assert (a2.previous_hash, s2.previous_hash) == (a1.entry_hash, s1.entry_hash)
    assert verify_chain() == []


def test_an_entry_moved_to_another_centres_chain_breaks_both(actor, tamper):
    first, second = CentreFactory(), CentreFactory()
    write(actor, 2, centre=first)
    write(actor, 2, centre=second)
    moved = AuditEntry.objects.get(centre=first, sequence=2)
    tamper("UPDATE {table} SET centre_id = %s, sequence = %s WHERE id = %s", [second.pk, 3, moved.pk])

    assert verify_chain() == [
        f"chain centre-{second.pk}: entry 3 does not follow entry 2: it names previous hash "
        f"{moved.previous_hash[:12]}…, the entry before it has "
        f"{AuditEntry.objects.get(centre=second, sequence=2).entry_hash[:12]}…",
        f"chain centre-{second.pk}: entry 3 (evidence.updated) does not match its hash: it was changed after it "
        "was written",
    ]


def test_the_hash_covers_the_previous_hash_and_the_canonical_content(actor):
    entry = write(actor)[0]
    stored = AuditEntry.objects.get(pk=entry.pk)

    content = json.dumps(
        hashed_fields(stored), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    assert stored.entry_hash == hashlib.sha256((GENESIS_HASH + content).encode()).hexdigest()
    assert json.loads(content)["subject_id"] == "1"
    assert json.loads(content)["actor_name"] == "Asha Assessor"


def test_canonical_form_ignores_key_order_and_keeps_non_ascii_text():
    assert (
        canonical({"b": 1, "a": "café"}) == canonical({"a": "café", "b": 1}) == '{"a":"café","b":1}'.encode()
    )


def test_the_actors_name_is_kept_as_it_was(actor):
    entry = write(actor)[0]
    actor.full_name = "Asha Married-Name"
    actor.save()

    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "Asha Assessor"
    assert verify_chain() == []


def test_an_entry_without_an_actor_is_the_systems(db):
    entry = record(
        actor=None, action="evidence.created", summary="imported", subject=("portfolio.evidence", 1)
    )
    assert (entry.actor, entry.actor_name) == (None, "System")


def test_before_and_after_are_stored_as_json_and_still_verify(actor):
    centre = CentreFactory()
    record(
        actor=actor,
        action="evidence.updated",
        summary="E1 changed: date",
        subject=centre,
        centre=centre,
        before={"date": datetime.date(2026, 10, 1), "fee": decimal.Decimal("1.50"), "people": [1, 2]},
        after={"date": datetime.date(2026, 10, 2), "fee": None, "people": [], "ratio": [1e20, 0.5], 3: True},
    )

    stored = AuditEntry.objects.get()
    assert (stored.subject_type, stored.subject_id) == ("centres.centre", str(centre.pk))
    assert stored.before == {"date": "2026-10-01", "fee": "1.50", "people": [1, 2]}
    assert stored.after == {
        "date": "2026-10-02",
        "fee": None,
        "people": [],
        "ratio": ["1e+20", "0.5"],
        "3": True,
    }
    assert verify_chain() == []


def test_an_unsaved_subject_is_refused(actor):
    with pytest.raises(AuditError, match=r"^Record centres\.centre after it is saved: it has no id yet\.$"):
        record(actor=actor, action="x.y", summary="s", subject=CentreFactory.build())


def test_recording_outside_a_transaction_is_refused(transactional_db, actor):
    with pytest.raises(
        AuditError,
        match=r"^evidence\.created was not recorded: an audit entry must be written in the transaction of its "
        r"change\.$",
    ):
        record(actor=actor, action="evidence.created", summary="E1", subject=("portfolio.evidence", 1))
    assert AuditEntry.objects.count() == 0


def test_an_entry_rolls_back_with_its_transaction(transactional_db, actor):
    def change_that_fails_after_its_entry() -> None:
        with transaction.atomic():
            write(actor)
            raise RuntimeError("the change failed after its entry was written")

    with pytest.raises(RuntimeError, match="failed after its entry"):
        change_that_fails_after_its_entry()

    assert AuditEntry.objects.count() == 0
    with transaction.atomic():
        assert write(actor)[0].sequence == 1


# Refused by the application on every database


def test_an_entry_cannot_be_saved_again(actor):
    entry = write(actor)[0]
    entry.summary = "something else"
    with pytest.raises(
        AuditChangeError, match=r"^Audit entry #1 cannot be changed: record a new entry instead\.$"
    ):
        entry.save()
    assert AuditEntry.objects.get().summary == "change 1"


def test_an_entry_cannot_be_deleted(actor):
    entry = write(actor)[0]
    with pytest.raises(AuditChangeError, match=r"^Audit entry #1 cannot be deleted\.$"):
        entry.delete()
    assert AuditEntry.objects.count() == 1


def test_entries_cannot_be_updated_or_deleted_in_bulk(actor):
    write(actor, 2)
    with pytest.raises(AuditChangeError, match="never changed"):
        AuditEntry.objects.filter(sequence=1).update(summary="rewritten")
    with pytest.raises(AuditChangeError, match="never deleted"):
        AuditEntry.objects.all().delete()
    assert list(AuditEntry.objects.values_list("summary", flat=True)) == ["change 1", "change 2"]


# Tampering behind the application's back (on PostgreSQL with the trigger switched off, as the owner could)


def test_an_edited_entry_is_found(actor, tamper):
    write(actor, 3)
    tamper("UPDATE {table} SET summary = %s WHERE sequence = %s", ["nothing happened", 2])

    assert verify_chain() == [
        "chain site: entry 2 (evidence.updated) does not match its hash: it was changed after it was written"
    ]


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_link_to_the_next(actor, tamper):
    entries = write(actor, 3)
    tamper("UPDATE {table} SET summary = %s WHERE sequence = %s", ["nothing happened", 2])
    forged = AuditEntry.objects.get(sequence=2)
    tamper("UPDATE {table} SET entry_hash = %s WHERE sequence = %s", [entry_hash(forged), 2])

    assert verify_chain() == [
        f"chain site: entry 3 does not follow entry 2: it names previous hash {entries[1].entry_hash[:12]}…, "
        f"the entry before it has {entry_hash(forged)[:12]}…"
    ]


def test_a_deleted_entry_is_found_as_a_gap(actor, tamper):
    write(actor, 4)
    tamper("DELETE FROM {table} WHERE sequence = %s", [2])

    assert verify_chain() == ["chain site: entry 2 is missing: the sequence jumps from 1 to 3"]


def test_several_deleted_entries_at_the_start_are_found(actor, tamper):
    write(actor, 5)
    tamper("DELETE FROM {table} WHERE sequence <= %s", [3])

    assert verify_chain() == ["chain site: entries 1 to 3 are missing: the sequence jumps from 0 to 4"]


def test_an_entry_whose_before_value_was_changed_is_found(actor, tamper):
    write(actor, 1, before={"status": "draft"}, after={"status": "submitted"})
    tamper("UPDATE {table} SET after = %s WHERE sequence = %s", ['{"status": "accepted"}', 1])

    assert AuditEntry.objects.get().after == {"status": "accepted"}
    assert verify_chain() == [
        "chain site: entry 1 (evidence.updated) does not match its hash: it was changed after it was written"
    ]


# The command


def test_verify_audit_reports_an_intact_trail_and_its_head(actor, capsys):
    entries = write(actor, 3)

    call_command("verify_audit")

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "audit trail intact: 3 entries in 1 chain"
    assert out[1].startswith("chain site: head entry 3 at ")
    assert out[1].endswith(f" sha256 {entries[2].entry_hash}")


def test_verify_audit_prints_the_head_of_every_chain(actor, capsys):
    centre = CentreFactory()
    site = write(actor)
    centres = write(actor, 2, centre=centre)

    call_command("verify_audit")

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "audit trail intact: 3 entries in 2 chains"
    assert [line.split(" at ")[0] for line in out[1:]] == [
        "chain site: head entry 1",
        f"chain centre-{centre.pk}: head entry 2",
    ]
    assert out[1].endswith(f" sha256 {site[0].entry_hash}")
    assert out[2].endswith(f" sha256 {centres[1].entry_hash}")


def test_verify_audit_on_an_empty_trail(db, capsys):
    call_command("verify_audit")
    assert capsys.readouterr().out == "audit trail intact: 0 entries in 0 chains\n"


def test_verify_audit_prints_each_problem_and_fails(actor, tamper, capsys):
    write(actor, 4)
    tamper("DELETE FROM {table} WHERE sequence = %s", [2])
    tamper("UPDATE {table} SET actor_name = %s WHERE sequence = %s", ["Someone Else", 4])

    with pytest.raises(CommandError, match=r"^audit trail broken: 2 problem\(s\)$"):
        call_command("verify_audit")

    assert capsys.readouterr().err.splitlines() == [
        "chain site: entry 2 is missing: the sequence jumps from 1 to 3",
        "chain site: entry 4 (evidence.updated) does not match its hash: it was changed after it was written",
    ]
