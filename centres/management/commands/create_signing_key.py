"""`create_signing_key`: make (or rotate) a centre's signing key, or the site's own.

It lives with the centres, not in `signing`, because it checks that the centre exists and names it in the PDF
certificate; `signing` itself knows no centres.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from centres.models import Centre
from signing.keys import ECDSA_P256, ED25519, SigningError, key_dir, keyset, keyset_path
from signing.store import create_key


class Command(BaseCommand):
    help = (
        "Make a signing key pair for a centre (--centre PK), for the site (--site) or for every centre and the "
        "site (--all): Ed25519 for records, or with --pdf the ECDSA P-256 key and certificate that signs PDFs. The "
        "private key is written to SIGNING_KEY_DIR, the public key added to SIGNING_KEYSET. An existing current "
        "key is kept unless --rotate: then it stays in the key set, valid until now, and a new one signs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--centre", type=int, metavar="PK", help="the centre's id")
        owner.add_argument("--site", action="store_true", help="the site's own key (entries of no centre)")
        owner.add_argument("--all", action="store_true", help="every centre and the site, both kinds of key")
        parser.add_argument("--pdf", action="store_true", help="the ECDSA P-256 key and certificate for PDFs")
        parser.add_argument("--rotate", action="store_true", help="retire the current key and make a new one")

    def handle(self, *args: Any, **options: Any) -> None:
        owners: list[tuple[int | None, str | None]]
        if options["all"]:
            owners = [(None, None), *Centre.objects.order_by("pk").values_list("pk", "name")]
            algorithms = [ED25519, ECDSA_P256]
        else:
            algorithms = [ECDSA_P256 if options["pdf"] else ED25519]
            owners = [(None, None)] if options["site"] else [self._centre(options["centre"])]
        development = bool(settings.SIGNING_DEVELOPMENT_KEYS)
        for centre_id, name in owners:
            for algorithm in algorithms:
                self._create(centre_id, name, algorithm, rotate=options["rotate"], development=development)

    def _centre(self, pk: int) -> tuple[int | None, str | None]:
        centre = Centre.objects.filter(pk=pk).values_list("pk", "name").first()
        if centre is None:
            raise CommandError(f"no centre with id {pk}")
        return centre

    def _create(
        self, centre_id: int | None, name: str | None, algorithm: str, *, rotate: bool, development: bool
    ) -> None:
        before = _current_id(centre_id, algorithm)
        try:
            key = create_key(
                key_dir=key_dir(),
                keyset_path=keyset_path(),
                centre_id=centre_id,
                algorithm=algorithm,
                development=development,
                rotate=rotate,
                name=name,
            )
        except (SigningError, OSError) as error:
            raise CommandError(str(error)) from None
        owner = "the site" if centre_id is None else f"centre {centre_id}"
        kind = " (development key: DEBUG is on)" if key.development else ""
        if key.key_id == before:
            self.stdout.write(f"{owner} keeps {algorithm} key {key.key_id} (--rotate makes a new one)")
        elif before is not None:
            self.stdout.write(
                f"{owner}: {algorithm} key {key.key_id} made{kind}; {before} retired, kept for verifying"
            )
        else:
            self.stdout.write(f"{owner}: {algorithm} key {key.key_id} made{kind}")


def _current_id(centre_id: int | None, algorithm: str) -> str | None:
    current = keyset().current(centre_id, algorithm)
    return None if current is None else current.key_id
