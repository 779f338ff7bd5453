"""The README's verification commands, run exactly as it shows them, against the signed samples in
fixtures/signed/: what someone with a fresh clone types to check a record without trusting the server."""

import hashlib
import json
import os
import re
import subprocess
from pathlib import Path
from zipfile import ZipFile

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
COMMAND = re.compile(
    r"^\s*(\.venv/bin/python manage\.py verify_(?:export|record) fixtures/signed/\S+ --keys \S+)\s*$"
)


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return [match.group(1) for line in readme.splitlines() if (match := COMMAND.match(line))]


def test_the_readme_shows_a_command_for_the_sample_export_and_for_the_sample_record():
    assert [command.split()[2] for command in readme_commands()] == ["verify_export", "verify_record"]


def run(command: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The command line through a shell in the checkout, as typed. Like a fresh clone: no .env, and no key
    directory of this checkout's own (with DEBUG off, as in the tests, a key set of development keys there would
    stop start-up; the command reads only the key set given with --keys)."""
    env = {**os.environ, "ENV_FILE": "", "SIGNING_KEY_DIR": str(tmp_path)}
    return subprocess.run(
        ["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("command", readme_commands())
def test_the_readmes_verification_command_passes_on_the_signed_sample(command, tmp_path):
    result = run(command, tmp_path)
    sample = command.split()[3]
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(f"{sample}: ")
    assert "OK" in result.stdout


def test_the_sample_export_fails_once_its_manifest_is_rewritten(tmp_path):
    """The sample is a real signature, not a file the command waves through: the same command on a copy whose
    manifest was edited and re-hashed exits non-zero with one line per problem, and no traceback."""
    sample = ROOT / "fixtures" / "signed" / "sample-export.zip"
    copy = tmp_path / "rewritten.zip"
    with ZipFile(sample) as source, ZipFile(copy, "w") as target:
        manifest = json.loads(source.read("manifest.json"))
        manifest["learner"]["name"] = "Someone Else"
        text = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
        for info in source.infolist():
            data = {
                "manifest.json": text,
                "manifest.sha256": f"{hashlib.sha256(text).hexdigest()}  manifest.json\n".encode(),
            }.get(info.filename, source.read(info))
            target.writestr(info, data)
    result = run(
        f".venv/bin/python manage.py verify_export {copy} --keys fixtures/signed/portfolio-keys.json",
        tmp_path,
    )
    key_id = json.loads(ZipFile(sample).read("manifest.sig"))["key_id"]
    assert result.returncode == 1
    assert result.stdout.splitlines()[1:] == [
        f"  manifest.json: does not match its signature in manifest.sig by key {key_id} (changed after the centre "
        "signed it)"
    ]
    assert result.stderr == f"CommandError: 1 of 1 failed verification: {copy}\n"
