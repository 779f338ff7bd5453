"""A learner's evidence from start to finish on a phone: create, upload with progress, map, declare, submit."""

import re

import pytest
from playwright.sync_api import Page, expect

from portfolio.models import Evidence
from tests.conftest import STANDARD_FIXTURE, UNIT_FIXTURE
from tests.factories import EnrolmentFactory, create_evidence_for
from units.services import import_specification_files

RECORD_PROGRESS = """
window.__progress = [];
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.target.tagName === "PROGRESS") window.__progress.push(Number(change.target.value));
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["value"]});
"""


@pytest.fixture
def enrolment(transactional_db):
    specifications = [
        o.specification for o in import_specification_files(paths=[UNIT_FIXTURE, STANDARD_FIXTURE])
    ]
    return EnrolmentFactory(specifications=specifications)


def throttle(page: Page, *, bytes_per_second: int) -> None:
    """Slow the browser's uploads through Chromium's own network emulation (-1 lifts it)."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": bytes_per_second},
    )


def map_to(page: Page, query: str, button: str) -> None:
    search = page.get_by_label("Find by reference or words")
    search.fill(query)
    search.press("Enter")  # results come by htmx, or by the plain GET form if the panel was still settling
    page.get_by_role("button", name=button).click()
    label = button.removeprefix("Map to ")
    expect(page.locator("#mapping-status")).to_have_text(f"E1 mapped to {label}.")
    expect(page.locator("#mappings .mappings")).to_contain_text(label)


def test_learner_uploads_maps_declares_and_submits_on_a_phone(
    enrolment, live_server, phone_page, sign_in, see, tmp_path
):
    page = phone_page
    page.add_init_script(RECORD_PROGRESS)
    report = tmp_path / "reflective-account.pdf"
    report.write_bytes(b"%PDF-1.4\n" + b"% reflective account\n" * 200_000 + b"%%EOF\n")
    photo = tmp_path / "care-plan.png"
    photo.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 3_000_000)

    sign_in(page, enrolment.learner.email)
    page.get_by_role("link", name=enrolment.centre.name).click()
    page.get_by_role("button", name="Add evidence").click()
    page.get_by_label("Title").fill("Reflective account: leading a strengths-based review")
    page.get_by_label("Date").fill("2026-10-12")
    page.get_by_label("Assessment method").select_option(label="RA: Reflective account")
    page.get_by_label("Account").fill("I led the review with the individual and their family.")
    page.get_by_role("button", name="Create evidence").click()
    created = Evidence.objects.get()
    see(
        page,
        "created",
        path=f"/evidence/{created.pk}/",
        heading="E1 Reflective account: leading a strengths-based review",
        message="E1 created.",
    )

    page.get_by_label("Add files").set_input_files([report, photo])
    throttle(page, bytes_per_second=4_000_000)  # as on a phone network, so progress shows between 0 and 100
    page.get_by_role("button", name="Upload", exact=True).click()

    bars = page.locator("[data-upload-progress] progress")
    expect(bars).to_have_count(2)
    expect(page.locator("[data-upload-progress]")).to_contain_text("Added", timeout=30_000)
    expect(page.locator("[data-upload-progress] li").nth(1)).to_contain_text("Added", timeout=30_000)
    assert [bars.nth(i).evaluate("bar => bar.value") for i in range(2)] == [100, 100]
    seen = page.evaluate("window.__progress")
    assert any(0 < value < 100 for value in seen), seen
    assert seen.count(100) >= 2
    throttle(page, bytes_per_second=-1)
    expect(page.locator(".file-list")).to_contain_text("reflective-account.pdf")
    expect(page.locator(".file-list")).to_contain_text("care-plan.png")
    see(page, "uploaded", path=f"/evidence/{created.pk}/")

    map_to(page, "1.1", "Map to L/652/0848 1.1 a)")
    map_to(page, "P6", "Map to SCDLMCB2 P6")
    map_to(page, "K14", "Map to SCDLMCB2 K14")

    page.get_by_label("This is my own work").check()
    page.get_by_role("button", name="Submit to assessor").click()
    see(page, "submitted", path=f"/evidence/{created.pk}/", message="E1 submitted to your assessor.")

    evidence = Evidence.objects.get()
    assert evidence.status == Evidence.Status.SUBMITTED
    assert sorted(m.label for m in evidence.mappings.all()) == ["1.1 a)", "K14", "P6"]
    assert sorted(f.content_type for f in evidence.files.all()) == ["application/pdf", "image/png"]

    page.get_by_role("link", name=enrolment.learner.full_name).first.click()
    page.get_by_role("link", name="L/652/0848 Leading Person-centred Practice in Adult Care (v2)").click()
    expect(page.locator("tr", has_text="1.1 a)")).to_contain_text("E1")
    expect(page.locator("tr", has_text="1.1 b)")).to_contain_text("Not yet evidenced")
    page.go_back()
    page.get_by_role("link", name="SCDLMCB2 Lead and Manage").click()
    expect(page.locator("tr", has=page.locator("th", has_text="P6"))).to_contain_text("E1")
    expect(page.locator("tr", has=page.locator("th", has_text="K14"))).to_contain_text("E1")


def test_the_picker_count_and_the_mapping_message_are_said_by_live_regions_that_stay_in_the_page(
    enrolment, live_server, desktop_page, sign_in
):
    evidence = create_evidence_for(enrolment, title="Reflective account")
    page = desktop_page
    sign_in(page, enrolment.learner.email)
    page.goto(f"{live_server.url}/evidence/{evidence.pk}/")
    page.evaluate(
        "window.__regions = ['picker-status', 'mapping-status'].map((id) => document.getElementById(id))"
    )
    search = page.get_by_label("Find by reference or words")

    search.fill("assistive technology")
    expect(page.locator("#picker-status")).to_have_text("1 criterion matches “assistive technology”.")
    search.fill("relationships")
    expect(page.locator("#picker-status")).to_have_text(re.compile(r"^\d+ criteria match “relationships”\.$"))
    assert page.evaluate("document.getElementById('picker-status') === window.__regions[0]")  # not replaced

    page.get_by_role("button", name="Map to L/652/0848 4.1").click()
    expect(page.locator("#mapping-status")).to_have_text("E1 mapped to L/652/0848 4.1.")
    assert page.evaluate("document.getElementById('mapping-status') === window.__regions[1]")
    for region in ("#picker-status", "#mapping-status"):
        expect(page.locator(region)).to_have_attribute("role", "status")
