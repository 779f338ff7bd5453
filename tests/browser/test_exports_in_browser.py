"""A cohort export in a real browser: an administrator starts it, watches it wait for and pass through the
background worker, and downloads a ZIP that verifies."""

import zipfile

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from centres.models import Membership
from records.verification.exports import verify_export
from signing.keys import keyset
from tests.browser.conftest import WCAG_AA
from tests.conftest import UNIT_FIXTURE
from tests.factories import member
from tests.notifications.test_notifications_sending import database_queue, run_worker_once  # noqa: F401
from tests.records.conftest import in_progress_portfolio
from units.services import import_specification_files


@pytest.mark.usefixtures("database_queue")
def test_an_admin_starts_a_cohort_export_watches_it_and_downloads_the_zip(
    transactional_db, live_server, desktop_page, sign_in, media, tmp_path
):
    (outcome,) = import_specification_files(paths=[UNIT_FIXTURE])
    enrolment = in_progress_portfolio(outcome.specification)
    member(enrolment.centre, Membership.Role.ADMIN, email="admin@riverside.example", full_name="Dana Price")
    page = desktop_page

    sign_in(page, "admin@riverside.example")
    page.get_by_role("link", name="Centre", exact=True).click()
    page.get_by_role("link", name="Riverside Care Academy").click()
    page.get_by_role("link", name="Exports").click()
    assert Axe().run(page, options=WCAG_AA).violations_count == 0
    page.get_by_label("Every learner in the centre").check()
    page.get_by_role("button", name="Start the export").click()

    expect(
        page.get_by_role("heading", name="Export of every learner at Riverside Care Academy")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="State: Queued")).to_be_visible()

    run_worker_once()  # the worker takes it while the page keeps asking for its state

    expect(page.get_by_role("heading", name="State: Done")).to_be_visible()
    expect(page.get_by_text("1 portfolio exported")).to_be_visible()
    assert Axe().run(page, options=WCAG_AA).violations_count == 0
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the ZIP").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    assert saved.name.endswith(".zip")
    assert verify_export(saved, keys=keyset()).ok
    with zipfile.ZipFile(saved) as archive:
        assert [name for name in archive.namelist() if name.startswith("learners/")] == [
            f"learners/amara-okafor-{enrolment.pk}.zip"
        ]
