from django.apps import AppConfig


class SigninConfig(AppConfig):
    name = "signin"
    verbose_name = "Sign-in protection"

    def ready(self) -> None:
        from signin import handlers  # noqa: F401 (connects the lockout's audit entry)
