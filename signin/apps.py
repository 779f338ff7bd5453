from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = "Sign-in protection"

    def ready(self) -> None:
        from signin import checks, handlers  # noqa: F401 (the deploy check; the lockout's audit entry)
