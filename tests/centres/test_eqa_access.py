"""What an external quality assurer may read under a grant, that they change nothing, and that every page they
open is logged (and nobody else's)."""

import io
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from centres.access import Access
from centres.models import Enrolment, EQAGrant, EQAPageView, Membership
from portfolio.models import Evidence, EvidenceFile, EvidenceMapping
from portfolio.services import files
from portfolio.services.mappings import add_mapping
from portfolio.uploads import check_file
from tests.factories import (
    CentreFactory,
    EnrolmentFactory,
    create_evidence_for,
    eqa_with_grant,
    member,
    submitted_evidence,
)
from tests.samples import PDF
from units.models import Criterion

Role = Membership.Role
HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class World:
    enrolment: Enrolment
    neighbour: Enrolment
    draft: Evidence
    submitted: Evidence
    mapping: EvidenceMapping
    file: EvidenceFile
    admin: object
    unit: object
    standard: object


@pytest.fixture
def world(unit, standard) -> World:
    enrolment = EnrolmentFactory(specifications=[unit, standard])
    neighbour = EnrolmentFactory(centre=enrolment.centre, specifications=[unit, standard])
    draft = create_evidence_for(enrolment)
    mapping = add_mapping(
        user=enrolment.learner,
        evidence=draft,
        criterion=Criterion.objects.get(specification=standard, ref="P6"),
    )
    with check_file(io.BytesIO(PDF), name="account.pdf") as upload:
        evidence_file = files.add_file(user=enrolment.learner, evidence=draft, upload=upload).evidence_file
    submitted = submitted_evidence(
        enrolment, [(Criterion.objects.get(specification=standard, ref="P7"), None)]
    )
    admin = member(enrolment.centre, Role.ADMIN)
    return World(enrolment, neighbour, draft, submitted, mapping, evidence_file, admin, unit, standard)


def eqa_of(world: World, **grant) -> object:
    return eqa_with_grant(world.enrolment.centre, granted_by=world.admin, full_name="Erin Quality", **grant)


READS = {
    "enrolment page": lambda w, e: reverse("assessments:enrolment_detail", args=[e.pk]),
    "evidence list": lambda w, e: reverse("portfolio:evidence_list", args=[e.pk]),
    "criterion matrix": lambda w, e: reverse("assessments:criterion_matrix", args=[e.pk, w.standard.pk]),
    "history": lambda w, e: reverse("portfolio:history", args=[e.pk]),
}
EVIDENCE_READS = {
    "evidence page": lambda w: reverse("portfolio:evidence_detail", args=[w.draft.pk]),
    "submitted evidence page": lambda w: reverse("portfolio:evidence_detail", args=[w.submitted.pk]),
    "file download": lambda w: reverse("portfolio:file_download", args=[w.file.pk]),
    "file view": lambda w: reverse("portfolio:file_view", args=[w.file.pk]),
}
CENTRE_READS = {
    "centre overview": lambda w: reverse("centres:overview", args=[w.enrolment.centre.pk]),
    "centre people": lambda w: reverse("centres:people", args=[w.enrolment.centre.pk]),
    "centre enrolments": lambda w: reverse("centres:enrolments", args=[w.enrolment.centre.pk]),
}


# Reading under a grant


@pytest.mark.parametrize("page", [*READS, *EVIDENCE_READS, *CENTRE_READS])
def test_eqa_with_a_whole_centre_grant_reads_every_portfolio_page(client, world, page):
    client.force_login(eqa_of(world))
    url = (
        READS[page](world, world.enrolment)
        if page in READS
        else {**EVIDENCE_READS, **CENTRE_READS}[page](world)
    )
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("page", READS)
def test_eqa_with_a_whole_centre_grant_reads_every_enrolment_of_the_centre(client, world, page):
    client.force_login(eqa_of(world))
    assert client.get(READS[page](world, world.neighbour)).status_code == 200


def test_eqa_with_a_whole_centre_grant_sees_the_centres_portfolios_on_the_home_page(client, world):
    client.force_login(eqa_of(world))
    others = [enrolment for enrolment, _ in client.get(reverse("assessments:home")).context["others"]]
    assert sorted(e.pk for e in others) == sorted([world.enrolment.pk, world.neighbour.pk])


@pytest.mark.parametrize("page", READS)
def test_eqa_with_chosen_portfolios_reads_those(client, world, page):
    client.force_login(eqa_of(world, whole_centre=False, enrolments=[world.enrolment]))
    assert client.get(READS[page](world, world.enrolment)).status_code == 200


@pytest.mark.parametrize("page", READS)
def test_eqa_with_chosen_portfolios_is_answered_404_for_the_others(client, world, page):
    client.force_login(eqa_of(world, whole_centre=False, enrolments=[world.enrolment]))
    assert client.get(READS[page](world, world.neighbour)).status_code == 404


def test_eqa_with_chosen_portfolios_sees_only_those_on_the_home_page(client, world):
    client.force_login(eqa_of(world, whole_centre=False, enrolments=[world.enrolment]))
    others = [enrolment for enrolment, _ in client.get(reverse("assessments:home")).context["others"]]
    assert others == [world.enrolment]


@pytest.mark.parametrize("page", CENTRE_READS)
def test_eqa_with_chosen_portfolios_is_refused_the_centre_pages(client, world, page):
    """They list every person and enrolment of the centre, which such an EQA may not know of."""
    client.force_login(eqa_of(world, whole_centre=False, enrolments=[world.enrolment]))
    assert client.get(CENTRE_READS[page](world)).status_code == 403


def test_eqa_with_chosen_portfolios_has_no_centre_link(client, world):
    client.force_login(eqa_of(world, whole_centre=False, enrolments=[world.enrolment]))
    response = client.get(reverse("assessments:home"))
    assert f'<a href="{reverse("centres:index")}">Centre</a>' not in response.content.decode()
    assert client.get(reverse("centres:index")).context["centres"] == []


@pytest.mark.parametrize("period", [(-30, -1), (1, 30)], ids=["expired", "not started"])
@pytest.mark.parametrize("page", [*READS, *EVIDENCE_READS])
def test_eqa_without_a_grant_in_force_is_answered_404(client, world, page, period):
    client.force_login(eqa_of(world, days=period))
    url = READS[page](world, world.enrolment) if page in READS else EVIDENCE_READS[page](world)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("period", [(-30, -1), (1, 30)], ids=["expired", "not started"])
@pytest.mark.parametrize("page", CENTRE_READS)
def test_eqa_without_a_grant_in_force_is_refused_the_centre_pages_they_know_of(client, world, page, period):
    """A member of the centre knows it exists (403, as for its learners); its portfolios stay unknown (404)."""
    client.force_login(eqa_of(world, days=period))
    assert client.get(CENTRE_READS[page](world)).status_code == 403


@pytest.mark.parametrize("period", [(-30, -1), (1, 30)], ids=["expired", "not started"])
def test_eqa_without_a_grant_in_force_sees_no_portfolio_and_no_centre_link(client, world, period):
    client.force_login(eqa_of(world, days=period))
    response = client.get(reverse("assessments:home"))
    assert response.context["others"] == []
    assert f'<a href="{reverse("centres:index")}">Centre</a>' not in response.content.decode()
    assert client.get(reverse("centres:index")).context["centres"] == []


def test_a_grant_of_another_centre_opens_nothing_here(client, world):
    elsewhere = CentreFactory()
    eqa = eqa_of(world, days=(-30, -1))
    Membership.objects.create(centre=elsewhere, user=eqa, role=Role.EQA)
    EQAGrant.objects.create(
        centre=elsewhere,
        eqa=eqa,
        whole_centre=True,
        starts_on=world.draft.date,
        ends_on=world.draft.date.replace(year=world.draft.date.year + 5),
        granted_by=member(elsewhere, Role.ADMIN),
    )
    client.force_login(eqa)
    assert client.get(READS["enrolment page"](world, world.enrolment)).status_code == 404


def test_eqa_who_lost_the_role_reads_nothing_under_the_grant(client, world):
    eqa = eqa_of(world)
    Membership.objects.filter(user=eqa, role=Role.EQA).delete()
    client.force_login(eqa)
    assert client.get(READS["enrolment page"](world, world.enrolment)).status_code == 404


# Writing: never


def _form(world: World) -> dict:
    return {"version": -1, "title": "Changed", "roles": ["learner"], "status": "withdrawn"}


WRITES = {
    "new evidence": lambda w: reverse("portfolio:evidence_create", args=[w.enrolment.pk]),
    "edit evidence": lambda w: reverse("portfolio:evidence_edit", args=[w.draft.pk]),
    "add mapping": lambda w: reverse("portfolio:mapping_add", args=[w.draft.pk]),
    "remove mapping": lambda w: reverse("portfolio:mapping_remove", args=[w.mapping.pk]),
    "submit evidence": lambda w: reverse("portfolio:evidence_submit", args=[w.draft.pk]),
    "upload files": lambda w: reverse("portfolio:file_upload", args=[w.draft.pk]),
    "replace file": lambda w: reverse("portfolio:file_replace", args=[w.file.pk]),
    "judge": lambda w: reverse("assessments:review", args=[w.submitted.pk]),
    "assessor adds a mapping": lambda w: reverse("assessments:mapping_add", args=[w.submitted.pk]),
    "assessor removes a mapping": lambda w: reverse(
        "assessments:mapping_remove", args=[w.submitted.mappings.first().pk]
    ),
    "record observation": lambda w: reverse("assessments:observation_create", args=[w.enrolment.pk]),
    "sign": lambda w: reverse("assessments:sign", args=[w.enrolment.pk, w.unit.pk]),
    "reopen": lambda w: reverse("assessments:reopen", args=[w.enrolment.pk, w.unit.pk]),
    "register person": lambda w: reverse("centres:register_person", args=[w.enrolment.centre.pk]),
    "change roles": lambda w: reverse(
        "centres:person_roles", args=[w.enrolment.centre.pk, w.enrolment.learner.pk]
    ),
    "resend invitation": lambda w: reverse(
        "centres:resend_invitation", args=[w.enrolment.centre.pk, w.enrolment.learner.pk]
    ),
    "enrol": lambda w: reverse("centres:enrolment_create", args=[w.enrolment.centre.pk]),
    "edit enrolment": lambda w: reverse(
        "centres:enrolment_edit", args=[w.enrolment.centre.pk, w.enrolment.pk]
    ),
    "grant eqa access": lambda w: reverse("centres:eqa_grants", args=[w.enrolment.centre.pk]),
    "revoke eqa access": lambda w: reverse(
        "centres:eqa_revoke",
        args=[w.enrolment.centre.pk, EQAGrant.objects.filter(centre=w.enrolment.centre).first().pk],
    ),
    "sampling strategy": lambda w: reverse("quality:strategy", args=[w.enrolment.centre.pk]),
    "generate sampling plan": lambda w: reverse("quality:plan_generate", args=[w.enrolment.centre.pk]),
}
WRITE_FORMS = {
    "new evidence form": lambda w: reverse("portfolio:evidence_create", args=[w.enrolment.pk]),
    "edit evidence form": lambda w: reverse("portfolio:evidence_edit", args=[w.draft.pk]),
    "review screen": lambda w: reverse("assessments:review", args=[w.submitted.pk]),
    "observation form": lambda w: reverse("assessments:observation_create", args=[w.enrolment.pk]),
    "register person form": lambda w: reverse("centres:register_person", args=[w.enrolment.centre.pk]),
    "enrol form": lambda w: reverse("centres:enrolment_create", args=[w.enrolment.centre.pk]),
    "eqa access page": lambda w: reverse("centres:eqa_grants", args=[w.enrolment.centre.pk]),
}


@pytest.mark.parametrize("page", WRITES)
def test_every_write_by_an_eqa_with_a_grant_in_force_is_refused_403(client, world, page):
    eqa = eqa_of(world)
    client.force_login(eqa)
    before = (
        Evidence.objects.count(),
        EvidenceMapping.objects.count(),
        EQAGrant.objects.get(eqa=eqa).ends_on,
    )
    assert client.post(WRITES[page](world), _form(world)).status_code == 403
    assert (
        Evidence.objects.count(),
        EvidenceMapping.objects.count(),
        EQAGrant.objects.get(eqa=eqa).ends_on,
    ) == (before)


@pytest.mark.parametrize("page", WRITE_FORMS)
def test_forms_that_write_are_refused_to_an_eqa_403(client, world, page):
    client.force_login(eqa_of(world))
    assert client.get(WRITE_FORMS[page](world)).status_code == 403


def test_eqa_marks_their_own_notifications_read(client, world):
    client.force_login(eqa_of(world))
    assert client.post(reverse("notifications:mark_all_read")).status_code == 302


# The log of pages opened


def test_every_page_an_eqa_opens_is_logged_with_its_query_string(client, world):
    eqa = eqa_of(world)
    client.force_login(eqa)
    urls = [
        reverse("assessments:enrolment_detail", args=[world.enrolment.pk]),
        reverse("centres:enrolments", args=[world.enrolment.centre.pk]) + "?status=active",
        reverse("portfolio:evidence_detail", args=[world.draft.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200
    grant = EQAGrant.objects.get(eqa=eqa)
    assert list(EQAPageView.objects.filter(grant=grant).order_by("pk").values_list("path", flat=True)) == urls


def test_htmx_partials_an_eqa_opens_are_logged_too(client, world):
    eqa = eqa_of(world)
    client.force_login(eqa)
    url = reverse("centres:enrolments", args=[world.enrolment.centre.pk]) + "?status=active"
    assert client.get(url, **HTMX).status_code == 200
    assert list(EQAPageView.objects.values_list("grant__eqa", "path")) == [(eqa.pk, url)]


def test_refused_reads_and_writes_on_the_centres_pages_are_logged_for_that_centre(client, world):
    eqa = eqa_of(world, whole_centre=False, enrolments=[world.enrolment])
    client.force_login(eqa)
    attempts = [
        ("GET", reverse("assessments:enrolment_detail", args=[world.neighbour.pk]), 404),  # not in the grant
        ("GET", reverse("portfolio:evidence_create", args=[world.enrolment.pk]), 403),
        ("POST", reverse("portfolio:evidence_submit", args=[world.draft.pk]), 403),
    ]
    for method, url, status in attempts:
        assert getattr(client, method.lower())(url).status_code == status
    grant = EQAGrant.objects.get(eqa=eqa)
    assert list(EQAPageView.objects.order_by("pk").values_list("grant", "method", "path", "status")) == [
        (grant.pk, method, url, status) for method, url, status in attempts
    ]


def test_an_eqas_refusal_at_another_centre_is_in_no_log_of_this_one(client, world, unit):
    eqa = eqa_of(world)
    elsewhere = EnrolmentFactory(specifications=[unit])  # a centre where the EQA holds no grant
    client.force_login(eqa)
    assert client.get(reverse("assessments:enrolment_detail", args=[elsewhere.pk])).status_code == 404
    assert EQAPageView.objects.count() == 0


def test_an_eqas_own_account_is_theirs_and_not_logged(client, world):
    client.force_login(eqa_of(world))
    assert client.post(reverse("notifications:mark_all_read")).status_code == 302
    assert client.get(reverse("signin:account")).status_code == 200
    assert client.get(reverse("password_change")).status_code == 200
    assert EQAPageView.objects.count() == 0


def test_an_eqas_pages_as_administrator_elsewhere_are_in_no_grants_log(client, world, unit):
    eqa = eqa_of(world)
    elsewhere = EnrolmentFactory(specifications=[unit])
    Membership.objects.create(centre=elsewhere.centre, user=eqa, role=Role.ADMIN)
    client.force_login(eqa)
    for url in (
        reverse("centres:enrolments", args=[elsewhere.centre.pk]),
        reverse("assessments:enrolment_detail", args=[elsewhere.pk]),
    ):
        assert client.get(url).status_code == 200
    assert EQAPageView.objects.count() == 0


def test_an_eqa_without_a_grant_in_force_leaves_no_log(client, world):
    client.force_login(eqa_of(world, days=(-30, -1)))
    assert client.get(reverse("assessments:home")).status_code == 200
    assert EQAPageView.objects.count() == 0


def test_the_view_is_logged_against_the_grant_that_opened_the_page(client, world, unit):
    eqa = eqa_of(world)
    elsewhere = EnrolmentFactory(specifications=[unit])
    Membership.objects.create(centre=elsewhere.centre, user=eqa, role=Role.EQA)
    other = EQAGrant.objects.create(
        centre=elsewhere.centre,
        eqa=eqa,
        whole_centre=True,
        starts_on=EQAGrant.objects.get(eqa=eqa).starts_on,
        ends_on=EQAGrant.objects.get(eqa=eqa).ends_on,
        granted_by=member(elsewhere.centre, Role.ADMIN),
    )
    client.force_login(eqa)
    url = reverse("assessments:enrolment_detail", args=[elsewhere.pk])
    assert client.get(url).status_code == 200
    assert list(EQAPageView.objects.values_list("grant", "path")) == [(other.pk, url)]


@pytest.mark.parametrize("role", ["learner", "assessor", "internal verifier", "centre admin"])
def test_nothing_is_logged_for_people_who_are_not_eqas(client, world, role):
    person = {
        "learner": world.enrolment.learner,
        "assessor": world.enrolment.assessor,
        "internal verifier": world.enrolment.internal_verifier,
        "centre admin": world.admin,
    }[role]
    eqa_of(world)
    client.force_login(person)
    assert client.get(reverse("assessments:enrolment_detail", args=[world.enrolment.pk])).status_code == 200
    assert EQAPageView.objects.count() == 0


def queries_for(person, url: str, *, logging: bool, settings) -> list[str]:
    """The queries of a second opening of `url` (the first warms the session), with or without the log."""
    if not logging:
        settings.MIDDLEWARE = [
            m for m in settings.MIDDLEWARE if m != "centres.middleware.EQAPageViewMiddleware"
        ]
    client = Client()  # a new client loads the middleware as now set
    client.force_login(person)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


@pytest.mark.parametrize("role", ["learner", "centre admin"])
def test_the_log_costs_people_who_are_not_eqas_no_query(world, settings, role):
    person = world.enrolment.learner if role == "learner" else world.admin
    url = reverse("portfolio:evidence_detail", args=[world.draft.pk])
    with_log = queries_for(person, url, logging=True, settings=settings)
    assert len(with_log) == len(queries_for(person, url, logging=False, settings=settings))


def test_the_log_costs_an_eqa_one_insert(world, settings):
    eqa = eqa_of(world)
    url = reverse("portfolio:evidence_detail", args=[world.draft.pk])
    with_log = queries_for(eqa, url, logging=True, settings=settings)
    without_log = queries_for(eqa, url, logging=False, settings=settings)
    logged = [q for q in with_log if q.startswith('INSERT INTO "centres_eqapageview"')]
    assert (len(with_log) - len(without_log), len(logged)) == (1, 1)


def test_the_grants_are_read_once_per_request_however_many_portfolios_are_checked(
    world, unit, django_assert_num_queries
):
    eqa = User.objects.get(pk=eqa_of(world, whole_centre=False, enrolments=[world.enrolment]).pk)
    others = [EnrolmentFactory(centre=world.enrolment.centre, specifications=[unit]) for _ in range(5)]
    access = Access(eqa)
    with django_assert_num_queries(2):  # the roles, then the grants in force
        assert access.eqa_reads_enrolment(world.enrolment) is True
        assert [access.eqa_reads_enrolment(other) for other in others] == [False] * 5


def test_a_person_who_is_not_an_eqa_costs_no_grant_query(world, django_assert_num_queries):
    admin = User.objects.get(pk=world.admin.pk)
    with django_assert_num_queries(1):  # the roles only
        assert Access(admin).eqa_reads_enrolment(world.enrolment) is False
