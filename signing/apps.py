from django.apps import AppConfig


class SigningConfig(AppConfig):
    """Centre signing keys: private keys in SIGNING_KEY_DIR, the public key set in SIGNING_KEYSET (never the database)."""

    name = "signing"
    verbose_name = "Signing keys"
