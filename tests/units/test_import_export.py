"""import_spec and export_spec: atomic, idempotent, versioned, and exact in a round trip."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import STANDARD_FIXTURE, UNIT_FIXTURE
from tests.factories import specification_document
from units import spec_format, spec_schema
from units.models import Criterion, Specification
from units.selectors import specification_document as exported_document


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(path: Path, document: dict, fmt: str = "yaml") -> Path:
    path.write_text(spec_format.dump(document, fmt=fmt), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_import_reports_each_specification_imported():
    out, _ = run("import_spec", str(UNIT_FIXTURE), str(STANDARD_FIXTURE))
    assert f'{UNIT_FIXTURE}: imported L/652/0848 version "2"' in out
    assert f'{STANDARD_FIXTURE}: imported SCDLMCB2 version "1"' in out
    assert Specification.objects.count() == 2


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing_and_says_so():
    run("import_spec", str(STANDARD_FIXTURE))
    first = Specification.objects.get()
    out, _ = run("import_spec", str(STANDARD_FIXTURE))
    assert 'unchanged, SCDLMCB2 version "1"' in out
    assert "is already in the catalogue" in out
    assert list(Specification.objects.values_list("pk", "imported_at")) == [(first.pk, first.imported_at)]
    assert Criterion.objects.count() == 152


@pytest.mark.django_db
def test_a_new_version_lives_beside_the_old_one(tmp_path):
    run("import_spec", str(write(tmp_path / "v1.yaml", specification_document(version="1"))))
    revised = specification_document(version="2", title="Revised test unit")
    run("import_spec", str(write(tmp_path / "v2.yaml", revised)))
    assert list(Specification.objects.order_by("version").values_list("version", "title")) == [
        ("1", "Test unit T/000/0001"),
        ("2", "Revised test unit"),
    ]


@pytest.mark.django_db
def test_json_files_import_like_yaml(tmp_path):
    run("import_spec", str(write(tmp_path / "unit.json", specification_document(), fmt="json")))
    assert Specification.objects.get().code == "T/000/0001"


@pytest.mark.django_db
def test_one_bad_file_means_no_file_is_imported(tmp_path):
    good = write(tmp_path / "good.yaml", specification_document(code="G/1"))
    bad = write(tmp_path / "bad.yaml", {**specification_document(code="B/1"), "kind": "module"})
    with pytest.raises(CommandError, match="nothing imported"):
        run("import_spec", str(good), str(bad))
    assert not Specification.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_spec", str(tmp_path / "absent.yaml"), stderr=(err := StringIO()))
    assert f"{tmp_path / 'absent.yaml'}: cannot be read: No such file or directory" in err.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", [UNIT_FIXTURE, STANDARD_FIXTURE], ids=["unit", "standard"])
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_imported_into_an_empty_catalogue_exports_byte_identical(tmp_path, fixture, fmt):
    run("import_spec", str(fixture))
    code, version = Specification.objects.values_list("code", "version").get()
    first = tmp_path / f"first.{fmt}"
    run("export_spec", code, "--format", fmt, "--output", str(first))
    Specification.objects.all().delete()

    run("import_spec", str(first))
    second, _ = run("export_spec", code, "--version", version, "--format", fmt)

    assert second == first.read_text(encoding="utf-8")


def test_export_holds_the_same_content_as_the_fixture(seed_specifications):
    for fixture, specification in zip(
        [UNIT_FIXTURE, STANDARD_FIXTURE], seed_specifications.values(), strict=True
    ):
        document = spec_format.parse(fixture.read_bytes(), source=fixture.name)
        assert exported_document(specification) == document
        assert spec_format.digest(exported_document(specification)) == specification.content_digest


def test_export_finds_a_standard_by_its_alias(standard):
    out, _ = run("export_spec", "H7LR 04")
    assert out.startswith("format: portfolio-spec/1\nkind: standard\ncode: SCDLMCB2\n")


def test_export_takes_the_latest_version_unless_one_is_named(db, tmp_path):
    for version in ("1", "2"):
        run("import_spec", str(write(tmp_path / f"v{version}.yaml", specification_document(version=version))))
    latest, _ = run("export_spec", "T/000/0001")
    named, _ = run("export_spec", "T/000/0001", "--version", "1")
    assert "version: '2'" in latest
    assert "version: '1'" in named


def test_export_of_an_unknown_code_or_version_is_an_error(standard):
    with pytest.raises(CommandError, match="no specification NOPE in the catalogue"):
        run("export_spec", "NOPE")
    with pytest.raises(CommandError, match='no specification SCDLMCB2 version "9" in the catalogue'):
        run("export_spec", "SCDLMCB2", "--version", "9")


def test_the_published_json_schema_is_the_one_the_importer_enforces():
    published = Path(__file__).parents[2] / "docs" / "portfolio-spec-1.schema.json"
    assert json.loads(published.read_text(encoding="utf-8")) == spec_schema.SCHEMA
