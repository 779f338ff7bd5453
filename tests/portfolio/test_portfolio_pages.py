"""The learner's portfolio pages: what they show, htmx in place, and a constant number of queries."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from portfolio.models import Evidence, EvidenceMapping
from portfolio.services.evidence import submit_evidence
from portfolio.services.mappings import add_mapping
from tests.factories import EnrolmentFactory, bulk_portfolio, create_evidence_for, method
from units.models import Criterion, RangeItem

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def enrolment(unit, standard):
    return EnrolmentFactory(specifications=[unit, standard])


@pytest.fixture
def learner_client(client, enrolment):
    client.force_login(enrolment.learner)
    return client


def criterion(specification, ref):
    return Criterion.objects.get(specification=specification, ref=ref)


def test_home_shows_the_learners_enrolment_with_progress_per_specification(
    learner_client, enrolment, unit, standard
):
    evidence = create_evidence_for(enrolment)
    add_mapping(user=enrolment.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    add_mapping(
        user=enrolment.learner,
        evidence=evidence,
        criterion=criterion(unit, "1.1"),
        range_item=RangeItem.objects.get(criterion__specification=unit, criterion__ref="1.1", ref="a"),
    )
    page = learner_client.get(reverse("assessments:home")).content.decode()
    assert "Your portfolio" in page
    assert "1 of 30 with evidence (3%)" in page  # 21 criteria without range items + 9 range items
    assert "1 of 152 with evidence (1%)" in page


def test_learner_creates_evidence_through_the_form(learner_client, enrolment):
    form = learner_client.get(reverse("portfolio:evidence_create", args=[enrolment.pk])).context["form"]
    response = learner_client.post(
        reverse("portfolio:evidence_create", args=[enrolment.pk]),
        {
            "title": "Reflective account: care plan review",
            "date": "2026-10-12",
            "method": method(enrolment.centre, "RA").pk,
            "narrative": "I reviewed the plan with the individual.",
            "form_key": form.initial["form_key"],
        },
    )
    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portfolio:evidence_detail", args=[evidence.pk])
    assert (evidence.reference, evidence.status) == ("E1", "draft")


def test_the_create_form_posted_twice_makes_one_piece(learner_client, enrolment):
    data = {
        "title": "Account",
        "date": "2026-10-12",
        "method": method(enrolment.centre, "RA").pk,
        "form_key": "2f1e0d9c-8b7a-4c6d-9e5f-4a3b2c1d0e9f",
    }
    url = reverse("portfolio:evidence_create", args=[enrolment.pk])
    first, second = learner_client.post(url, data), learner_client.post(url, data)
    assert first["Location"] == second["Location"]
    assert Evidence.objects.count() == 1


def test_the_create_form_shows_a_rule_broken_as_an_error_and_saves_nothing(learner_client, enrolment):
    response = learner_client.post(
        reverse("portfolio:evidence_create", args=[enrolment.pk]),
        {"title": "Testimony", "date": "2026-10-12", "method": method(enrolment.centre, "WT").pk},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        '<ul class="errorlist" id="id_witness_name_error"><li>Witness testimony needs the witness&#x27;s name.'
        in page
    )
    assert (
        '<ul class="errorlist" id="id_witness_role_error"><li>Witness testimony needs the witness&#x27;s job role.'
        in page
    )
    assert not Evidence.objects.exists()


def test_picker_finds_criteria_of_the_enrolled_specifications_with_their_meaning_and_tips(
    learner_client, enrolment
):
    evidence = create_evidence_for(enrolment)
    response = learner_client.get(
        reverse("portfolio:criterion_picker", args=[evidence.pk]), {"q": "2.1"}, **HTMX
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="picker-results"')
    assert "Compare the role of partnerships, collaboration and co-production" in page
    assert "<dt>Partnerships</dt>" in page
    assert "working with the individual, networks, communities" in page
    assert "Tips: Partnership working in adult care" in page
    assert "Common mistakes: Partnership working in adult care" in page
    assert "Marking points" not in page


def test_picker_without_javascript_shows_results_on_the_evidence_page(learner_client, enrolment):
    evidence = create_evidence_for(enrolment)
    response = learner_client.get(reverse("portfolio:evidence_detail", args=[evidence.pk]), {"q": "K14"})
    assert "The meaning of person-centred/child centred working" in response.content.decode()


def test_mapping_added_with_htmx_redraws_the_mapping_panel(learner_client, enrolment, standard):
    evidence = create_evidence_for(enrolment)
    response = learner_client.post(
        reverse("portfolio:mapping_add", args=[evidence.pk]),
        {"criterion": criterion(standard, "P6").pk, "q": "P6"},
        **HTMX,
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="mappings"')
    assert "E1 mapped to SCDLMCB2 P6." in page
    assert "Ensure that workers work with individuals to establish their history" in page
    assert EvidenceMapping.objects.filter(evidence=evidence).count() == 1


def test_mapping_a_criterion_with_range_items_explains_what_to_choose(learner_client, enrolment, unit):
    evidence = create_evidence_for(enrolment)
    response = learner_client.post(
        reverse("portfolio:mapping_add", args=[evidence.pk]),
        {"criterion": criterion(unit, "3.6").pk},
        follow=True,
    )
    assert "3.6 is met range item by range item: choose from a), b)." in response.content.decode()


def test_submitting_without_the_declaration_is_refused_with_a_message(learner_client, enrolment, standard):
    evidence = create_evidence_for(enrolment)
    add_mapping(user=enrolment.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    response = learner_client.post(reverse("portfolio:evidence_submit", args=[evidence.pk]), {}, follow=True)
    assert "Confirm that this is your own work before submitting." in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.DRAFT


def test_learner_declares_and_submits(learner_client, enrolment, standard):
    evidence = create_evidence_for(enrolment)
    add_mapping(user=enrolment.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    response = learner_client.post(
        reverse("portfolio:evidence_submit", args=[evidence.pk]), {"declaration": "on"}, follow=True
    )
    page = response.content.decode()
    assert "E1 submitted to your assessor." in page
    assert f"Declared as their own work by {escape(enrolment.learner.full_name)}" in page


def test_submitting_twice_says_it_was_already_submitted(learner_client, enrolment, standard):
    evidence = create_evidence_for(enrolment)
    add_mapping(user=enrolment.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    url = reverse("portfolio:evidence_submit", args=[evidence.pk])
    learner_client.post(url, {"declaration": "on"})
    response = learner_client.post(url, {"declaration": "on"}, follow=True)
    assert "E1 was already submitted on" in response.content.decode()


def test_submitted_evidence_cannot_be_edited_through_the_form(learner_client, enrolment, standard):
    evidence = create_evidence_for(enrolment)
    add_mapping(user=enrolment.learner, evidence=evidence, criterion=criterion(standard, "P6"))
    submit_evidence(user=enrolment.learner, evidence=evidence, declaration=True)
    response = learner_client.post(
        reverse("portfolio:evidence_edit", args=[evidence.pk]),
        {"title": "Changed", "date": "2026-10-01", "method": evidence.method_id},
    )
    assert response.status_code == 403
    evidence.refresh_from_db()
    assert evidence.title == "Reflective account of a care review"


def test_matrix_shows_evidence_numbers_against_criteria_and_range_items(learner_client, enrolment, unit):
    first, second = create_evidence_for(enrolment), create_evidence_for(enrolment)
    item_a = RangeItem.objects.get(criterion__specification=unit, criterion__ref="1.1", ref="a")
    for evidence in (first, second):
        add_mapping(
            user=enrolment.learner, evidence=evidence, criterion=criterion(unit, "1.1"), range_item=item_a
        )
    add_mapping(user=enrolment.learner, evidence=second, criterion=criterion(unit, "2.2"))

    response = learner_client.get(reverse("assessments:criterion_matrix", args=[enrolment.pk, unit.pk]))

    matrix = response.context["matrix"]
    rows = {row.ref: [e.reference for e in row.evidence] for group in matrix.groups for row in group.rows}
    assert rows["1.1 a)"] == ["E1", "E2"]
    assert rows["1.1 b)"] == []
    assert rows["2.2"] == ["E2"]
    assert len(rows) == 30
    assert (matrix.progress.mapped, matrix.progress.total) == (2, 30)
    assert (matrix.groups[0].progress.mapped, matrix.groups[0].progress.total) == (1, 6)
    page = response.content.decode()
    assert (
        "0 of 30 met</strong> (0%) ·\n  2 of 30 with evidence (7%; each range item counts on its own)" in page
    )
    assert page.count("Not yet evidenced") == 28


def test_matrix_of_a_specification_outside_the_enrolment_is_not_found(client, unit, standard):
    enrolment = EnrolmentFactory(specifications=[unit])
    client.force_login(enrolment.learner)
    url = reverse("assessments:criterion_matrix", args=[enrolment.pk, standard.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_evidence_list_filters_by_status(learner_client, enrolment, standard, status):
    draft = create_evidence_for(enrolment, title="Still a draft")
    submitted = create_evidence_for(enrolment, title="Sent in")
    add_mapping(user=enrolment.learner, evidence=submitted, criterion=criterion(standard, "P6"))
    submit_evidence(user=enrolment.learner, evidence=submitted, declaration=True)
    response = learner_client.get(reverse("portfolio:evidence_list", args=[enrolment.pk]), {"status": status})
    expected = {"draft": [draft.pk], "submitted": [submitted.pk]}[status]
    assert [e.pk for e in response.context["evidence"]] == expected


def test_evidence_list_filters_by_method_and_criterion(learner_client, enrolment, standard):
    discussion = create_evidence_for(enrolment, method_code="PD", title="Discussion")
    account = create_evidence_for(enrolment, title="Account")
    add_mapping(user=enrolment.learner, evidence=account, criterion=criterion(standard, "K14"))
    url = reverse("portfolio:evidence_list", args=[enrolment.pk])
    assert [e.pk for e in learner_client.get(url, {"method": "PD"}).context["evidence"]] == [discussion.pk]
    assert [e.pk for e in learner_client.get(url, {"criterion": "k14"}).context["evidence"]] == [account.pk]


def test_evidence_list_answers_htmx_with_the_results_only(learner_client, enrolment):
    create_evidence_for(enrolment)
    page = learner_client.get(
        reverse("portfolio:evidence_list", args=[enrolment.pk]), **HTMX
    ).content.decode()
    assert page.lstrip().startswith('<div id="evidence-results"')
    assert "1 piece of evidence, newest first." in page


# Constant queries: a learner with one piece of evidence and one with 300 pieces and 1,000 mappings.
SIZES = pytest.mark.parametrize(("pieces", "mappings"), [(1, 1), (300, 1000)], ids=["small", "large"])


@SIZES
def test_home_costs_the_same_queries_whatever_the_portfolio_size(
    learner_client, enrolment, django_assert_num_queries, pieces, mappings
):
    bulk_portfolio(enrolment, pieces=pieces, mappings=mappings)
    # session, user, roles (menu), the assessors of portfolios looked after (none) and how many there are
    # (none), own enrolments, their specifications with the stored progress, unread notifications (menu)
    with django_assert_num_queries(8):
        assert learner_client.get(reverse("assessments:home")).status_code == 200


@SIZES
def test_evidence_list_costs_the_same_queries_whatever_the_portfolio_size(
    learner_client, enrolment, django_assert_num_queries, pieces, mappings
):
    bulk_portfolio(enrolment, pieces=pieces, mappings=mappings)
    # session, user, enrolment with centre and people, its specifications, the centre's methods (filter), roles,
    # unread count, how many pieces, the page of evidence with current file counts, their mappings
    with django_assert_num_queries(10):
        response = learner_client.get(reverse("portfolio:evidence_list", args=[enrolment.pk]), {"page": "3"})
    assert (len(response.context["evidence"]), response.context["evidence"].count) == (
        min(pieces, 20),
        pieces,
    )


@SIZES
def test_matrix_costs_the_same_queries_whatever_the_portfolio_size(
    learner_client, enrolment, standard, django_assert_num_queries, pieces, mappings
):
    bulk_portfolio(enrolment, pieces=pieces, mappings=mappings)
    # session, user, enrolment with centre and people, its specifications, met states (latest judgements,
    # mappings), the specification's mappings with evidence, groups, criteria, range items, sign-offs, roles,
    # unread count
    with django_assert_num_queries(13):
        response = learner_client.get(
            reverse("assessments:criterion_matrix", args=[enrolment.pk, standard.pk])
        )
    assert response.context["matrix"].progress.total == 152


@SIZES
def test_evidence_page_costs_the_same_queries_whatever_the_portfolio_size(
    learner_client, enrolment, django_assert_num_queries, pieces, mappings
):
    evidence = bulk_portfolio(enrolment, pieces=pieces, mappings=mappings)[-1]
    Evidence.objects.filter(pk=evidence.pk).update(status=Evidence.Status.DRAFT)
    # session, user, evidence with enrolment, people and method, its mappings; the picker: criteria matching
    # "risk", their range items, indicative content, group guidance, whole-specification guidance, the lines
    # already mapped; the judgements of its mappings (what the assessor made of each); files, roles, unread
    # count, assessor reviews, judgements
    with django_assert_num_queries(16):
        response = learner_client.get(reverse("portfolio:evidence_detail", args=[evidence.pk]), {"q": "risk"})
    assert response.status_code == 200
