"""Every model of the project's apps has a factory under tests/factories/, one module per app, that makes a row."""

import importlib
import inspect

import factory
import pytest
from django.apps import apps

PROJECT_APPS = (
    "accounts", "units", "audit", "notifications", "jobs", "centres", "portfolio", "assessments", "quality",
    "records",
)  # fmt: skip


def _factories() -> dict[type, type]:
    found: dict[type, type] = {}
    for app in PROJECT_APPS:
        module = importlib.import_module(f"tests.factories.{app}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, factory.django.DjangoModelFactory) and cls.__module__ == module.__name__:
                found[cls._meta.model] = cls
    return found


FACTORIES = _factories()
MODELS = [model for app in PROJECT_APPS for model in apps.get_app_config(app).get_models()]


def test_every_model_has_a_factory_in_its_apps_module():
    missing = [model._meta.label for model in MODELS if model not in FACTORIES]
    assert missing == []


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_each_factory_makes_a_row(db, model):
    row = FACTORIES[model]()
    assert model.objects.filter(pk=row.pk).exists()
