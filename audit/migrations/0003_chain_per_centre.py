"""One audit chain per centre, and one for entries of no centre (the site's), instead of one chain for all.

Existing entries are re-chained: each centre's entries, in the order they were written, get sequences from 1
and hashes that link them within that centre's chain; entries of no centre form the site's chain. Before that,
the old single chain is verified whole, and the migration stops if it is not: re-chaining must never make an
edited trail look intact. (Only development data existed when chains were split; a trail with a history that
others hold copies of would be kept as it was instead.)

The hash is computed here by a frozen copy of `audit.services.entry_hash` as it stood, so that a later change of
the app's code cannot change what this migration did. On PostgreSQL the append-only trigger is switched off for
the rewrite only, inside the migration's transaction (the role that migrates owns the table).
"""

import datetime
import hashlib
import json

from django.db import migrations, models

GENESIS_HASH = "0" * 64
TABLE = "audit_auditentry"
TRIGGER = "audit_entry_append_only"


def _hash(entry, sequence: int, previous_hash: str) -> str:
    fields = {
        "sequence": sequence,
        "at": entry.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "centre": entry.centre_id,
        "learner": entry.learner_id,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "summary": entry.summary,
        "before": entry.before,
        "after": entry.after,
    }
    content = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(previous_hash.encode("ascii") + content.encode()).hexdigest()


def _refuse_a_broken_chain(entries, chain_of) -> None:
    """Each chain as it stands must be whole before it is rewritten."""
    expected = {}
    for entry in entries:
        sequence, previous = expected.get(chain_of(entry), (1, GENESIS_HASH))
        if (entry.sequence, entry.previous_hash) != (sequence, previous) or entry.entry_hash != _hash(
            entry, entry.sequence, entry.previous_hash
        ):
            raise RuntimeError(
                f"The audit trail is broken at entry {entry.sequence} (run manage.py verify_audit with the code "
                "before this migration): it is not re-chained, so that the break stays visible."
            )
        expected[chain_of(entry)] = (entry.sequence + 1, entry.entry_hash)


def _rechain(chain_before, chain_after):
    def run(apps, schema_editor) -> None:
        AuditEntry = apps.get_model("audit", "AuditEntry")
        entries = list(AuditEntry.objects.order_by("id"))
        if not entries:
            return
        _refuse_a_broken_chain(entries, chain_before)
        postgresql = schema_editor.connection.vendor == "postgresql"
        if postgresql:
            schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        heads = {}
        for entry in entries:
            sequence, previous = heads.get(chain_after(entry), (1, GENESIS_HASH))
            entry_hash = _hash(entry, sequence, previous)
            AuditEntry.objects.filter(pk=entry.pk).update(
                sequence=sequence, previous_hash=previous, entry_hash=entry_hash
            )
            heads[chain_after(entry)] = (sequence + 1, entry_hash)
        if postgresql:
            schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")

    return run


def _one_chain(entry) -> None:
    return None


def _centres_chain(entry) -> int | None:
    return entry.centre_id


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry", options={"ordering": ["id"], "verbose_name_plural": "audit entries"}
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="sequence",
            field=models.PositiveBigIntegerField(
                editable=False,
                help_text="The entry's place in its chain (its centre's, or the site's), from 1.",
            ),
        ),
        migrations.RunPython(
            _rechain(_one_chain, _centres_chain),
            reverse_code=_rechain(_centres_chain, _one_chain),
            elidable=False,
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                fields=("centre", "sequence"), name="audit_centre_chain_sequence"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("centre__isnull", True)),
                fields=("sequence",),
                name="audit_site_chain_sequence",
            ),
        ),
    ]
