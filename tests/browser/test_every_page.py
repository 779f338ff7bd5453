"""Every HTML page, for every role that may open it, on a phone (390x844) and a desktop: no server error, exactly
one <main>, nothing wider than the screen (neither the page nor a box inside it scrolls sideways), no axe
violation of WCAG 2.2 A/AA, the page's own title, and nothing refused by the Content-Security-Policy.

Every URL pattern of the site (the Django admin aside) must be listed here, or `test_every_url_pattern_has_a_case`
fails:
- a page people open: one line in PAGES, `HtmlPage(url name, world ids of its arguments, roles, title)`, e.g.
      HtmlPage("records:export", "learner_export", "learner assessor", "Export #{learner_export}"),
  where the ids name entries of `World.ids` (tests/browser/world.py: add what the page needs there) and the title
  is the <title> before " · Evidence portfolio" ({id} is replaced by that id); the same URL name may have several
  lines (a draft and an accepted piece of evidence, say), and `query` adds a query string;
- anything else (a form's POST target, a file, a PDF, a redirect): one line in NOT_PAGES with the reason, which
  `test_what_is_not_a_page_does_not_answer_get_with_html` checks.

Roles are learner, assessor, iv, admin, eqa, anonymous and "second-step" (the assessor after the password, before
the second factor). The world is built once for the module, one browser context per role and viewport signs in
once, and each case is a test of its own, so a failure names the page, the role and the viewport (and leaves a
screenshot under var/browser-screenshots/).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.test.utils import setup_databases, teardown_databases
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Browser, BrowserContext, Page
from pytest_django.live_server_helper import LiveServer

from accounts.models import User
from centres.access import Access
from signin.policy import second_factor_required
from tests.browser.conftest import (
    KEEP_ALL_SCREENSHOTS,
    PHONE,
    SIGN_OUT,
    WCAG_AA,
    page_width,
    screenshot_folder,
)
from tests.browser.world import CENTRE, EQA, INVITEE, LEARNER, SIGNED_LEARNER, World, build_world
from tests.factories import DEFAULT_PASSWORD
from tests.factories.accounts import authenticator_for, recovery_code_for

STAFF = "learner assessor iv admin eqa"  # everyone around a portfolio
SIGNED_IN = STAFF


@dataclass(frozen=True)
class HtmlPage:
    name: str
    args: str
    roles: str
    title: str
    query: str = ""


PAGES = [
    HtmlPage("login", "", "anonymous", "Sign in"),
    HtmlPage("password_reset", "", "anonymous", "Forgotten your password"),
    HtmlPage("password_reset_done", "", "anonymous", "Check your e-mail"),
    HtmlPage("password_reset_confirm", "reset_uid reset_token", "anonymous", "Choose your password"),
    HtmlPage("password_reset_complete", "", "anonymous", "Password saved"),
    HtmlPage("password_change", "", SIGNED_IN, "Change your password"),
    HtmlPage("password_change_done", "", SIGNED_IN, "Password changed"),
    HtmlPage("signin:second_factor", "", "second-step", "Second step of signing in"),
    HtmlPage("signin:set_up", "", SIGNED_IN, "Set up an authenticator app"),
    HtmlPage("signin:account", "", SIGNED_IN, "Your account"),
    HtmlPage("assessments:home", "", SIGNED_IN, "Home"),
    HtmlPage("assessments:enrolment_detail", "enrolment", STAFF, LEARNER),
    HtmlPage("assessments:criterion_matrix", "enrolment unit", STAFF, f"L/652/0848 – {LEARNER}"),
    HtmlPage("assessments:criterion_matrix", "signed_enrolment short_unit", "assessor iv admin eqa", f"T/100/0001 – {SIGNED_LEARNER}"),
    HtmlPage("assessments:home", "", "admin eqa", "Home", "q=e&status=active&page=2"),
    HtmlPage("assessments:caseload", "", "assessor", "Caseload"),
    HtmlPage("assessments:caseload", "", "assessor", "Caseload", "q=e&status=active&page=2"),
    HtmlPage("assessments:review", "submitted", "assessor", "Review E2"),
    HtmlPage("assessments:observation_create", "enrolment", "assessor", "Record an observation"),
    HtmlPage("portfolio:evidence_list", "enrolment", STAFF, f"Evidence of {LEARNER}"),
    HtmlPage("portfolio:evidence_create", "enrolment", "learner", "Add evidence"),
    HtmlPage("portfolio:evidence_detail", "draft", STAFF, "E3 Notes for a professional discussion on positive risk-taking"),
    HtmlPage("portfolio:evidence_detail", "draft", "learner", "E3 Notes for a professional discussion on positive risk-taking", "q=risk"),
    HtmlPage("portfolio:evidence_detail", "reopened", STAFF, "E1 Reflective account of a review"),
    HtmlPage("portfolio:evidence_detail", "observation", STAFF, "E4 Observation of leading a care review"),
    HtmlPage("portfolio:evidence_edit", "draft", "learner", "Edit E3"),
    HtmlPage("portfolio:history", "enrolment", STAFF, f"History – {LEARNER}"),
    HtmlPage("centres:index", "", "admin eqa", "Centres"),
    HtmlPage("centres:overview", "centre", "admin eqa", CENTRE),
    HtmlPage("centres:people", "centre", "admin eqa", f"People · {CENTRE}"),
    HtmlPage("centres:people", "centre", "admin", f"People · {CENTRE}", "q=e&page=2"),
    HtmlPage("centres:register_person", "centre", "admin", f"Register a person · {CENTRE}"),
    HtmlPage("centres:person_roles", "centre invitee", "admin", f"Roles of {INVITEE} · {CENTRE}"),
    HtmlPage("centres:enrolments", "centre", "admin eqa", f"Enrolments · {CENTRE}"),
    HtmlPage("centres:enrolments", "centre", "admin", f"Enrolments · {CENTRE}", "q=e&status=active&page=2"),
    HtmlPage("centres:enrolment_create", "centre", "admin", f"Enrol a learner · {CENTRE}"),
    HtmlPage("centres:enrolment_edit", "centre enrolment", "admin", f"Enrolment of {LEARNER} · {CENTRE}"),
    HtmlPage("centres:eqa_grants", "centre", "admin", f"EQA access · {CENTRE}"),
    HtmlPage("centres:eqa_log", "centre grant", "admin", f"Pages opened by {EQA} · {CENTRE}"),
    HtmlPage("quality:dashboard", "", "iv", "IQA"),
    HtmlPage("quality:strategy", "centre", "iv admin eqa", "Sampling strategy"),
    HtmlPage("quality:plan", "plan", "iv admin eqa", "Sampling plan"),
    HtmlPage("quality:plan", "plan", "iv", "Sampling plan", "page=2"),
    HtmlPage("quality:sample_detail", "undecided", "iv admin eqa", "Interim sample: {undecided_title}"),
    HtmlPage("quality:sample_detail", "decided", "iv", "Interim sample: {decided_title}"),
    HtmlPage("quality:sample_detail", "summative", "iv admin eqa", f"Summative sample: {SIGNED_LEARNER}, T/100/0001"),
    HtmlPage("quality:my_iqa", "", "assessor", "Feedback and actions"),
    HtmlPage("records:portfolio_exports", "enrolment", STAFF, f"Completion records and export · {LEARNER}"),
    HtmlPage("records:centre_exports", "centre", "admin eqa", f"Exports · {CENTRE}"),
    HtmlPage("records:export", "learner_export", STAFF, "Export #{learner_export}"),
    HtmlPage("records:export", "cohort_export", "admin eqa", "Export #{cohort_export}"),
    HtmlPage("units:specification_list", "", SIGNED_IN, "Specifications"),
    HtmlPage("units:criterion_search", "", SIGNED_IN, "Find a criterion", "q=risk"),
    HtmlPage("units:specification_detail", "unit", SIGNED_IN, "L/652/0848 Leading Person-centred Practice in Adult Care", "open=all"),
    HtmlPage("units:specification_detail", "standard", "learner", "SCDLMCB2 Lead and Manage Provision of Care Services that Promotes the Well Being of Individuals", "open=all"),
    HtmlPage("notifications:list", "", SIGNED_IN, "Notifications"),
]  # fmt: skip


@dataclass(frozen=True)
class NotPage:
    name: str
    args: str
    role: str
    why: str


NOT_PAGES = [
    NotPage("logout", "", "learner", "POST only: signing out"),
    NotPage("health", "", "anonymous", "JSON for a monitor (tests/config)"),
    NotPage("portfolio_keys", "", "anonymous", "JSON: the public key set (tests/signing)"),
    NotPage(
        "signin:recovery_codes",
        "",
        "learner",
        "POST: a new set of recovery codes, shown once; GET shows once those made with a first passkey, else redirects",
    ),
    NotPage("signin:remove_passkey", "passkey", "admin", "POST only"),
    NotPage("signin:passkey_registration_begin", "", "learner", "POST only: JSON for the passkey script"),
    NotPage("signin:passkey_registration_complete", "", "learner", "POST only: JSON for the passkey script"),
    NotPage("signin:passkey_authentication_begin", "", "learner", "POST only: JSON for the passkey script"),
    NotPage(
        "signin:passkey_authentication_complete", "", "learner", "POST only: JSON for the passkey script"
    ),
    NotPage("signin:passkey_messages", "", "learner", "JavaScript: the passkey script's messages"),
    NotPage("assessments:mapping_add", "submitted", "assessor", "POST only"),
    NotPage("assessments:mapping_remove", "mapping", "assessor", "POST only"),
    NotPage("assessments:sign", "enrolment unit", "learner", "POST only"),
    NotPage("assessments:reopen", "enrolment unit", "assessor", "POST only"),
    NotPage(
        "portfolio:criterion_picker",
        "draft",
        "learner",
        "the picker's results for htmx; otherwise a redirect",
    ),
    NotPage("portfolio:mapping_add", "draft", "learner", "POST only"),
    NotPage("portfolio:evidence_submit", "draft", "learner", "POST only"),
    NotPage("portfolio:mapping_remove", "mapping", "learner", "POST only"),
    NotPage("portfolio:file_upload", "draft", "learner", "POST only"),
    NotPage("portfolio:file_download", "file", "learner", "a file, as an attachment"),
    NotPage("portfolio:file_view", "file", "learner", "a file, shown inline"),
    NotPage(
        "portfolio:file_preview",
        "photo",
        "learner",
        "a JPEG of a HEIC photo (or a picture saying there is none)",
    ),
    NotPage("portfolio:file_replace", "file", "learner", "POST only"),
    NotPage("centres:resend_invitation", "centre invitee", "admin", "POST only"),
    NotPage("centres:eqa_revoke", "centre grant", "admin", "POST only"),
    NotPage("quality:plan_generate", "centre", "iv", "POST only"),
    NotPage("quality:sample_add", "plan", "iv", "POST only"),
    NotPage("quality:sample_remove", "undecided", "iv", "POST only"),
    NotPage("quality:sample_move", "undecided", "iv", "POST only"),
    NotPage("quality:sample_decide", "undecided", "iv", "POST only"),
    NotPage("quality:sample_admin_check", "summative", "iv", "POST only"),
    NotPage("quality:sample_completion", "summative", "iv", "POST only"),
    NotPage("quality:action_respond", "action", "assessor", "POST only"),
    NotPage("quality:action_close", "action", "iv", "POST only"),
    NotPage("records:completion_record", "enrolment unit", "learner", "a PDF (tests/records)"),
    NotPage("records:download_export", "learner_export", "learner", "a ZIP (tests/records)"),
    NotPage("units:group_detail", "unit outcome", "learner", "one outcome for htmx; otherwise a redirect"),
    NotPage("notifications:mark_all_read", "", "learner", "POST only"),
    NotPage("notifications:open", "notification", "learner", "a redirect to what the notification is about"),
]
VIEWPORTS = {"phone": PHONE, "desktop": {"viewport": {"width": 1280, "height": 900}}}
TITLE_SUFFIX = " · Evidence portfolio"


def url_names() -> set[str]:
    """Every named URL pattern of the site, the Django admin aside."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith("admin/"):
                continue
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
                yield from walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"the URL pattern {route!r} has no name"
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns, "", ""))


def test_every_url_pattern_has_a_case():
    covered = {case.name for case in PAGES} | {not_page.name for not_page in NOT_PAGES}
    assert sorted(url_names() - covered) == [], "add a Page or NotPage line for each (see the docstring)"
    assert sorted(covered - url_names()) == [], "these cases name URL patterns that no longer exist"


@dataclass
class Site:
    url: str
    world: World
    contexts: dict[tuple[str, str], BrowserContext]

    def path(self, name: str, args: str, query: str = "") -> str:
        path = reverse(name, args=[self.world.ids[arg] for arg in args.split()])
        return f"{path}?{query}" if query else path


@pytest.fixture(scope="module")
def database(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The test database, open to every thread while the module runs. pytest-django sets it up only when a test
    collected asks for `db`: when only the sweep is run, it is set up here."""
    connection = connections["default"]
    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] == connection.creation._get_test_db_name():
            yield
            return
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        try:
            yield
        finally:
            teardown_databases(config, verbosity=0)


@pytest.fixture(scope="module")
def site(database, browser: Browser, tmp_path_factory) -> Iterator[Site]:
    """The world, committed for a live server of the module's own (pytest-django's would empty the database
    after each test); emptied again when the module is done."""
    media = tmp_path_factory.mktemp("sweep-media")
    paging = pytest.MonkeyPatch()
    with (
        override_settings(
            MEDIA_ROOT=media,
            FILE_UPLOAD_TEMP_DIR=media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
            # the suite's own (function-scoped) fixtures come too late for the module's world
            SIGNING_KEY_DIR=media / "signing-keys",
            SIGNING_KEYSET=media / "signing-keys" / "keys.json",
            SIGNING_DEVELOPMENT_KEYS=True,
            CHECKPOINT_DIR=media / "audit-checkpoints",
        ),
    ):
        try:
            world = build_world()
            # two a page, so that the world's lists show their pages' controls
            paging.setattr("accounts.paging.PER_PAGE", 2)
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            site = Site(server.url, world, {})
            yield site
            for context in site.contexts.values():
                context.close()
            server._live_server_modified_settings.disable()
            server.stop()
        finally:
            paging.undo()
            call_command("flush", verbosity=0, interactive=False)


@pytest.fixture(autouse=True)
def media(settings):
    """The world's files stay where `site` put them (the suite's own `media` would move MEDIA_ROOT each test)."""
    return settings


def context_for(site: Site, browser: Browser, role: str, viewport: str) -> BrowserContext:
    """One context per role and viewport, signed in once through the real forms: the password, then, for a role
    that needs a second factor, a recovery code; "second-step" is the assessor between the two."""
    key = (role, viewport)
    if key not in site.contexts:
        context = browser.new_context(**VIEWPORTS[viewport])
        context.set_default_timeout(10_000)
        if role != "anonymous":
            _sign_in(context.new_page(), site, role)
        site.contexts[key] = context
    return site.contexts[key]


def _sign_in(page: Page, site: Site, role: str) -> None:
    person = User.objects.get(email=site.world.emails[role.replace("second-step", "assessor")])
    needs_second_factor = second_factor_required(Access(person))
    if needs_second_factor:
        authenticator_for(person)
    page.goto(f"{site.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(person.email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if needs_second_factor:
        page.get_by_role("heading", name="Second step of signing in").wait_for()
        if role == "second-step":
            page.close()
            return
        page.get_by_label("Code").fill(recovery_code_for(person))
        page.get_by_role("button", name="Continue").click()
    page.locator(SIGN_OUT).wait_for(state="attached")
    page.close()


CASES = [
    pytest.param(case, role, viewport, id=f"{case.name}({case.args}{'?' + case.query if case.query else ''})-{role}-{viewport}")
    for viewport in VIEWPORTS
    for case in PAGES
    for role in case.roles.split()
]  # fmt: skip
# Boxes that scroll sideways inside a page on purpose would be listed here; there are none.
SIDEWAYS = """() => [...document.querySelectorAll("body *")].filter((element) => {
  const style = getComputedStyle(element);
  return ["auto", "scroll"].includes(style.overflowX) && element.scrollWidth > element.clientWidth + 1;
}).map((element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
  (element.className && typeof element.className === "string" ? "." + element.className.trim().replace(/\\s+/g, ".") : ""))"""


@pytest.mark.parametrize(("case", "role", "viewport"), CASES)
def test_page(
    site: Site,
    browser: Browser,
    request: pytest.FixtureRequest,
    held_pages: list[Page],
    case: HtmlPage,
    role: str,
    viewport: str,
):
    page = context_for(site, browser, role, viewport).new_page()
    held_pages.append(page)
    refused_by_csp: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused_by_csp.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    response = page.goto(site.url + site.path(case.name, case.args, case.query))
    assert response is not None
    assert response.status < 500, f"a server error: {response.status}"
    assert response.status == 200, f"{role} may open this page, but it answered {response.status}"
    assert page.locator("main").count() == 1, "a page has exactly one <main>"
    assert page_width(page) <= VIEWPORTS[viewport]["viewport"]["width"], "the page scrolls sideways"
    assert page.evaluate(SIDEWAYS) == [], "boxes in the page scroll sideways"
    result = Axe().run(page, options=WCAG_AA)
    assert result.violations_count == 0, result.generate_report()
    expected = re.sub(r"\{(\w+)\}", lambda match: str(site.world.ids[match.group(1)]), case.title)
    assert page.title() == expected + TITLE_SUFFIX
    assert refused_by_csp == [], "the Content-Security-Policy refused something the page uses"
    if KEEP_ALL_SCREENSHOTS:
        screenshot_folder(request.node).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=screenshot_folder(request.node) / "page.png", full_page=True)


def test_what_is_not_a_page_does_not_answer_get_with_html(site: Site, browser: Browser):
    """A NOT_PAGES line must be true: a GET by the role named is refused as a method (405), redirected, or
    answered with something other than HTML."""
    html = []
    for not_page in NOT_PAGES:
        context = context_for(site, browser, not_page.role, "desktop")
        response = context.request.get(site.url + site.path(not_page.name, not_page.args), max_redirects=0)
        kind = response.headers.get("content-type", "")
        if not (response.status in (301, 302, 303, 405) or not kind.startswith("text/html")):
            html.append(f"{not_page.name}: {response.status} {kind}")
    assert html == []
