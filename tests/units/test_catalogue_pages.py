"""The catalogue pages: who may open them, what they show, and what they cost."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, create_specification
from units.models import Criterion, Group

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def member(db, client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def staff(db, client):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    return user


def detail_url(specification, **query) -> str:
    url = reverse("units:specification_detail", args=[specification.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def group_url(group, expanded: bool = True) -> str:
    url = reverse("units:group_detail", args=[group.specification_id, group.pk])
    return f"{url}?expanded={int(expanded)}"


@pytest.mark.parametrize(
    "url",
    [
        reverse("units:specification_list"),
        reverse("units:criterion_search"),
        "/specifications/1/",
        "/specifications/1/groups/1/",
    ],
)
def test_anonymous_visitor_is_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_inactive_person_cannot_sign_in(client, db):
    user = UserFactory(is_active=False)
    response = client.post(
        reverse("login"), {"username": user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 200
    assert "Please enter a correct e-mail address and password" in response.content.decode()


def test_person_signs_in_with_their_email_and_lands_on_the_catalogue(client, seed_specifications):
    user = UserFactory(email="learner@example.org")
    response = client.post(
        reverse("login"),
        {"username": "Learner@example.org".lower(), "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).context["user"] == user


def test_list_shows_both_seed_specifications_with_counts(client, member, seed_specifications):
    response = client.get(reverse("units:specification_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "L/652/0848 · Leading Person-centred Practice in Adult Care" in page
    assert "7 learning outcomes,\n        24 criteria, 9 range items" in page
    assert "SCDLMCB2 · Lead and Manage Provision of Care Services" in page
    assert "16 headings,\n        152 criteria" in page
    assert "also H7LR 04" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [("H7LR", "SCDLMCB2", "L/652/0848"), ("person-centred", "L/652/0848", "SCDLMCB2")],
)
def test_list_search_filters_by_code_alias_or_title(
    client, member, seed_specifications, query, shown, hidden
):
    page = client.get(reverse("units:specification_list"), {"q": query}).content.decode()
    assert f"{shown} ·" in page
    assert f"{hidden} ·" not in page


def test_list_search_answers_htmx_with_the_results_only(client, member, seed_specifications):
    response = client.get(reverse("units:specification_list"), {"q": "SCDLMCB2"}, **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="spec-results"')
    assert "<html" not in page
    # caches keep the results apart from the whole page (and apart per person; compressed or not is GZip's part)
    assert {"HX-Request", "Cookie"} <= {part.strip() for part in response["Vary"].split(",")}


def test_list_search_with_no_match_says_so(client, member, seed_specifications):
    page = client.get(reverse("units:specification_list"), {"q": "plumbing"}).content.decode()
    assert "No specification matches “plumbing”." in page


def test_detail_lists_groups_collapsed_with_their_kind(client, member, unit):
    page = client.get(detail_url(unit)).content.decode()
    assert "Understand person-centred, outcomes-based practice" in page
    assert page.count('aria-expanded="false"') == 7
    assert page.count("skill-based: needs direct observation of practice in the workplace") == 3
    assert "Analyse the features, principles, drivers, and values of:" not in page


def test_detail_opens_a_group_without_javascript(client, member, unit):
    lo1 = Group.objects.get(specification=unit, number="1")
    page = client.get(detail_url(unit, open=lo1.pk)).content.decode()
    assert "Analyse the features, principles, drivers, and values of:" in page
    assert "strength-based approaches" in page
    assert "Strengths-based approaches" in page  # indicative content beside 1.1
    assert "Describe the relationship between strengths-based approaches" in page
    assert "Compare the role of" not in page  # LO2 stays closed


def test_detail_expand_all_shows_every_criterion(client, member, standard):
    page = client.get(detail_url(standard, open="all")).content.decode()
    for criterion in Criterion.objects.filter(specification=standard):
        assert criterion.text.replace("'", "&#x27;") in page


def test_group_link_without_htmx_redirects_to_the_page_with_the_group_open(client, member, unit):
    lo3 = Group.objects.get(specification=unit, number="3")
    response = client.get(group_url(lo3))
    assert response.status_code == 302
    assert response["Location"] == detail_url(unit, open=lo3.pk) + f"#group-{lo3.pk}"


def test_group_expands_in_place_with_htmx(client, member, standard):
    heading = Group.objects.get(specification=standard, title="Knowledge that is Specific to this NOS")
    response = client.get(group_url(heading), **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith(f'<section class="group open" id="group-{heading.pk}"')
    assert "How psychological, soci-economic, cultural and environmental factors impact" in page
    assert 'aria-expanded="true"' in page


def test_group_collapses_in_place_with_htmx(client, member, standard):
    heading = Group.objects.get(specification=standard, title="Rights")
    page = client.get(group_url(heading, expanded=False), **HTMX).content.decode()
    assert 'aria-expanded="false"' in page
    assert "Legal and work setting requirements on equality" not in page


def test_group_of_another_specification_is_not_found(client, member, unit, standard):
    heading = Group.objects.filter(specification=standard).first()
    url = reverse("units:group_detail", args=[unit.pk, heading.pk])
    assert client.get(url, **HTMX).status_code == 404


def test_unknown_specification_is_not_found(client, member, db):
    assert client.get("/specifications/999999/").status_code == 404


def test_learner_sees_tips_and_mistakes_but_not_marking_points(client, member, unit):
    lo2 = Group.objects.get(specification=unit, number="2")
    page = client.get(detail_url(unit, open=lo2.pk)).content.decode()
    assert "Guidance: Partnership working in adult care" in page
    assert "Equating partnership working with simple information sharing" in page
    assert "Marking points" not in page


def test_staff_see_marking_points(client, staff, unit):
    lo2 = Group.objects.get(specification=unit, number="2")
    page = client.get(detail_url(unit, open=lo2.pk)).content.decode()
    assert "Marking points (assessors)" in page
    assert "Award credit for analysing a specific conflict scenario" in page


def test_unit_wide_guidance_shows_the_editors_correction(client, member, unit):
    page = client.get(detail_url(unit)).content.decode()
    assert "Guidance: Strategic leadership for person-centred, outcomes-based practice" in page
    assert "Editor’s note:" in page


def test_criterion_search_finds_a_knowledge_point_by_ref(client, member, seed_specifications):
    page = client.get(reverse("units:criterion_search"), {"q": "k100"}).content.decode()
    assert "1 criterion." in page
    assert "How psychological, soci-economic, cultural" in page


def test_criterion_search_finds_text_across_specifications(client, member, seed_specifications):
    response = client.get(reverse("units:criterion_search"), {"q": "positive risk"})
    refs = [(c.specification.code, c.ref) for c in response.context["criteria"]]
    assert refs == [
        ("L/652/0848", "6.1"),
        ("L/652/0848", "6.3"),
        ("L/652/0848", "7.1"),
        ("SCDLMCB2", "K89"),
        ("SCDLMCB2", "K90"),
    ]


def test_criterion_search_matches_range_item_text(client, member, seed_specifications):
    response = client.get(reverse("units:criterion_search"), {"q": "reasonable adjustments"})
    assert [c.ref for c in response.context["criteria"]] == ["3.5"]


def test_criterion_search_answers_htmx_with_the_results_only(client, member, seed_specifications):
    page = client.get(reverse("units:criterion_search"), {"q": "P6"}, **HTMX).content.decode()
    assert page.lstrip().startswith('<div id="criterion-results"')
    assert "Ensure that workers work with individuals to establish their history" in page


@pytest.mark.parametrize(("groups", "per_group"), [(2, 5), (10, 15)], ids=["10 criteria", "150 criteria"])
def test_specification_page_costs_the_same_queries_whatever_its_size(
    client, member, django_assert_num_queries, groups, per_group
):
    specification = create_specification(groups=groups, criteria_per_group=per_group)
    # session, user, specification, definitions, guidance, groups, criteria, range items, indicative content,
    # guidance by group, roles, unread count
    with django_assert_num_queries(12):
        response = client.get(detail_url(specification, open="all"))
    assert response.context["specification"].criteria.count() == groups * per_group


@pytest.mark.parametrize("count", [1, 30])
def test_specification_list_costs_the_same_queries_whatever_the_catalogue_size(
    client, member, django_assert_num_queries, count
):
    for n in range(count):
        create_specification(code=f"T/{n:03}/0001", groups=2, criteria_per_group=2)
    # session, user, roles, unread count, specifications with group, criterion and range-item counts
    with django_assert_num_queries(5):
        response = client.get(reverse("units:specification_list"))
    assert len(response.context["specifications"]) == count
