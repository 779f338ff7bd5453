"""The licence where people look: the AGPL's text in LICENSE, named in the README, and every page's footer linking
to the source of the running version (the AGPL asks that of software used over a network)."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.config.test_settings import manage
from tests.factories import UserFactory

ROOT = Path(settings.BASE_DIR)
# SHA-256 of the GNU AGPL version 3 as the FSF publishes it (https://www.gnu.org/licenses/agpl-3.0.txt): 661 lines.
AGPL_3_SHA256 = "0d96a4ff68ad6d4b6f1f30f713b18d5184912ba8dd389f86aa7710db079abcb0"


def test_the_licence_file_is_the_agpl_3_text_unchanged():
    text = (ROOT / "LICENSE").read_bytes()
    assert text.splitlines()[0].strip() == b"GNU AFFERO GENERAL PUBLIC LICENSE"
    assert hashlib.sha256(text).hexdigest() == AGPL_3_SHA256


def test_the_readme_names_the_licence_and_the_source_setting():
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "GNU Affero General Public License, version 3 or later" in readme
    assert "[LICENSE](LICENSE)" in readme
    assert "| `SOURCE_CODE_URL` |" in readme


def test_every_page_links_to_the_source_and_names_the_licence(client, db):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(UserFactory())
        page = client.get(reverse("login") if not signed_in else reverse("assessments:home")).content.decode()
        footer = page[page.index("<footer") :]
        assert f'<a href="{settings.SOURCE_CODE_URL}">Source code of this site</a>' in footer
        assert "GNU Affero General Public License, version 3 or later" in footer


def test_the_source_link_follows_the_setting(client, settings):
    settings.SOURCE_CODE_URL = "https://git.example.org/our-fork"

    page = client.get(reverse("login")).content.decode()

    assert '<a href="https://git.example.org/our-fork">Source code of this site</a>' in page


def test_a_source_address_that_is_not_a_web_address_is_refused_by_name():
    result = manage("check", DEBUG="true", SOURCE_CODE_URL="git@example.org:portfolio.git")
    assert result.returncode == 1
    assert (
        "SOURCE_CODE_URL must be an http:// or https:// address, not 'git@example.org:portfolio.git'"
        in result.stderr
    )
