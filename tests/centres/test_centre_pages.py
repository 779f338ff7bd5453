"""The centre pages: who may open and change each one, what they show, and what they cost."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from centres.access import access_of
from centres.context_processors import centre_nav
from centres.models import Enrolment, EQAGrant, Membership
from centres.permissions import can_know_centre
from tests.factories import (
    CentreFactory,
    EnrolmentFactory,
    UserFactory,
    create_specification,
    eqa_with_grant,
    member,
)

Role = Membership.Role
HTMX = {"HTTP_HX_REQUEST": "true"}
ROLES = ["centre admin", "eqa", "learner", "assessor", "internal verifier", "other centre admin", "anonymous"]


@dataclass
class World:
    centre: object
    people: dict
    enrolment: Enrolment
    invited: User


@pytest.fixture
def world(db) -> World:
    centre = CentreFactory(name="Riverside Care Academy")
    enrolment = EnrolmentFactory(centre=centre, specifications=[create_specification()])
    invited = member(centre, Role.LEARNER, full_name="Ina Invited")
    invited.set_unusable_password()
    invited.save()
    admin = member(centre, Role.ADMIN, full_name="Dana Admin")
    people = {
        "centre admin": admin,
        "eqa": eqa_with_grant(centre, granted_by=admin, full_name="Eli Eqa"),
        "learner": enrolment.learner,
        "assessor": enrolment.assessor,
        "internal verifier": enrolment.internal_verifier,
        "other centre admin": member(CentreFactory(), Role.ADMIN),
        "anonymous": None,
    }
    return World(centre, people, enrolment, invited)


def sign_in(client, world, role):
    if world.people[role] is not None:
        client.force_login(world.people[role])


# The answer for each role.
READ = {
    "centre admin": 200,
    "eqa": 200,
    "learner": 403,
    "assessor": 403,
    "internal verifier": 403,
    "other centre admin": 404,
    "anonymous": 302,
}
WRITE_FORM = {
    "centre admin": 200,
    "eqa": 403,
    "learner": 403,
    "assessor": 403,
    "internal verifier": 403,
    "other centre admin": 404,
    "anonymous": 302,
}
READ_PAGES = {
    "overview": lambda w: reverse("centres:overview", args=[w.centre.pk]),
    "people list": lambda w: reverse("centres:people", args=[w.centre.pk]),
    "enrolment list": lambda w: reverse("centres:enrolments", args=[w.centre.pk]),
}
WRITE_PAGES = {
    "register person": lambda w: reverse("centres:register_person", args=[w.centre.pk]),
    "person roles": lambda w: reverse("centres:person_roles", args=[w.centre.pk, w.invited.pk]),
    "new enrolment": lambda w: reverse("centres:enrolment_create", args=[w.centre.pk]),
    "edit enrolment": lambda w: reverse("centres:enrolment_edit", args=[w.centre.pk, w.enrolment.pk]),
}
# What an administrator's empty POST gets: the form again with its errors, or (resending) a redirect.
FORM_POSTS = {
    "centre admin": 200,
    "eqa": 403,
    "learner": 403,
    "assessor": 403,
    "internal verifier": 403,
    "other centre admin": 404,
    "anonymous": 302,
}
WRITE_POSTS = {
    **dict.fromkeys(WRITE_PAGES, FORM_POSTS),
    "resend invitation": {
        "centre admin": 302,
        "eqa": 403,
        "learner": 403,
        "assessor": 403,
        "internal verifier": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
}
assert all(set(answers) == set(ROLES) for answers in [READ, WRITE_FORM, *WRITE_POSTS.values()])
WRITE_URLS = {
    **WRITE_PAGES,
    "resend invitation": lambda w: reverse("centres:resend_invitation", args=[w.centre.pk, w.invited.pk]),
}


@pytest.mark.parametrize("page", READ_PAGES)
@pytest.mark.parametrize(("role", "expected"), list(READ.items()))
def test_read_pages_answer_each_role(client, world, page, role, expected):
    sign_in(client, world, role)
    assert client.get(READ_PAGES[page](world)).status_code == expected


@pytest.mark.parametrize("page", WRITE_PAGES)
@pytest.mark.parametrize(("role", "expected"), list(WRITE_FORM.items()))
def test_forms_open_only_for_the_centres_administrators(client, world, page, role, expected):
    sign_in(client, world, role)
    assert client.get(WRITE_PAGES[page](world)).status_code == expected


@pytest.mark.parametrize("page", WRITE_URLS)
@pytest.mark.parametrize("role", ROLES)
def test_writes_answer_each_role(client, world, page, role):
    sign_in(client, world, role)
    expected = WRITE_POSTS[page][role]
    assert client.post(WRITE_URLS[page](world), {}).status_code == expected


def test_anonymous_visitor_is_sent_to_sign_in(client, world):
    url = reverse("centres:people", args=[world.centre.pk])
    response = client.get(url)
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("role", ["eqa", "learner", "other centre admin"])
def test_a_refused_registration_creates_nobody_and_sends_nothing(client, world, role):
    sign_in(client, world, role)
    client.post(
        reverse("centres:register_person", args=[world.centre.pk]),
        {"email": "new@example.org", "full_name": "New Person", "roles": ["admin"]},
    )
    assert (User.objects.filter(email="new@example.org").exists(), len(mail.outbox)) == (False, 0)


def test_a_centre_that_does_not_exist_answers_404(client, world):
    sign_in(client, world, "centre admin")
    assert client.get(reverse("centres:overview", args=[world.centre.pk + 1000])).status_code == 404


def test_a_person_of_another_centre_answers_404(client, world):
    sign_in(client, world, "centre admin")
    outsider = world.people["other centre admin"]
    assert client.get(reverse("centres:person_roles", args=[world.centre.pk, outsider.pk])).status_code == 404


# Index and navigation


def test_index_lists_the_centres_overseen_with_the_role(client, world):
    aldgate = CentreFactory(name="Aldgate Training")
    Membership.objects.create(centre=aldgate, user=world.people["eqa"], role=Role.EQA)
    EQAGrant.objects.create(
        centre=aldgate,
        eqa=world.people["eqa"],
        whole_centre=True,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        granted_by=world.people["centre admin"],
    )
    sign_in(client, world, "eqa")
    page = client.get(reverse("centres:index")).content.decode()
    assert [entry.centre.name for entry in client.get(reverse("centres:index")).context["centres"]] == [
        "Aldgate Training",
        "Riverside Care Academy",
    ]
    assert "you are external quality assurer" in page


def test_index_tells_a_learner_they_oversee_no_centre(client, world):
    sign_in(client, world, "learner")
    response = client.get(reverse("centres:index"))
    assert response.status_code == 200
    assert (
        "You are not an administrator or external quality assurer of any centre." in response.content.decode()
    )


@pytest.mark.parametrize(("role", "shown"), [("centre admin", True), ("eqa", True), ("learner", False)])
def test_centre_link_shows_in_the_navigation_only_for_admins_and_eqas(client, world, role, shown):
    sign_in(client, world, role)
    page = client.get(reverse("centres:index")).content.decode()
    assert (f'<a href="{reverse("centres:index")}">Centre</a>' in page) is shown


def test_navigation_link_costs_one_query_where_no_roles_were_read(rf, world, django_assert_num_queries):
    request = rf.get("/")
    request.user = User.objects.get(pk=world.people["centre admin"].pk)
    context = centre_nav(request)
    with django_assert_num_queries(1):  # the roles
        assert context["show_centre_nav"]() is True


def test_navigation_link_costs_an_eqa_one_more_query_for_their_grants(rf, world, django_assert_num_queries):
    request = rf.get("/")
    request.user = User.objects.get(pk=world.people["eqa"].pk)
    context = centre_nav(request)
    with django_assert_num_queries(2):  # the roles, then the grants in force
        assert context["show_centre_nav"]() is True


def test_navigation_link_costs_nothing_where_the_roles_were_read(rf, world, django_assert_num_queries):
    request = rf.get("/")
    request.user = User.objects.get(pk=world.people["learner"].pk)
    can_know_centre(access_of(request), world.centre)
    with django_assert_num_queries(0):  # none: the roles were read already
        assert centre_nav(request)["show_centre_nav"]() is False


def test_navigation_link_costs_visitors_no_query(rf, db, django_assert_num_queries):
    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):  # none: a visitor has no roles
        assert centre_nav(request)["show_centre_nav"]() is False


# What the pages show


def test_overview_counts_people_by_role_and_enrolments_by_status(client, world):
    sign_in(client, world, "centre admin")
    overview = client.get(reverse("centres:overview", args=[world.centre.pk])).context["overview"]
    assert (overview.people, overview.enrolments) == (6, 1)
    assert [(label, count) for _, label, count in overview.by_role] == [
        ("Learner", 2),
        ("Assessor", 1),
        ("Internal verifier", 1),
        ("Centre administrator", 1),
        ("External quality assurer", 1),
    ]
    assert [(status, count) for status, _, count in overview.by_status] == [
        ("active", 1),
        ("on_hold", 0),
        ("completed", 0),
        ("withdrawn", 0),
    ]


def test_people_list_shows_roles_and_pending_invitations(client, world):
    sign_in(client, world, "centre admin")
    people = client.get(reverse("centres:people", args=[world.centre.pk])).context["people"]
    invited = next(person for person in people if person.user == world.invited)
    admin = next(person for person in people if person.user == world.people["centre admin"])
    assert (invited.role_labels, invited.invitation_pending) == (["Learner"], True)
    assert (admin.role_labels, admin.invitation_pending) == (["Centre administrator"], False)
    assert len(people) == 6


def test_people_list_shows_several_roles_of_one_person_in_role_order(client, world):
    Membership.objects.create(centre=world.centre, user=world.people["assessor"], role=Role.INTERNAL_VERIFIER)
    Membership.objects.create(centre=world.centre, user=world.people["assessor"], role=Role.ADMIN)
    sign_in(client, world, "centre admin")
    page = client.get(reverse("centres:people", args=[world.centre.pk])).content.decode()
    assert '<td data-label="Roles">Assessor, Internal verifier, Centre administrator</td>' in page


def test_people_search_matches_name_or_email(client, world):
    sign_in(client, world, "centre admin")
    UserFactory()  # someone with no role here is never listed
    by_name = client.get(reverse("centres:people", args=[world.centre.pk]), {"q": "ina inv"}).context[
        "people"
    ]
    by_email = client.get(
        reverse("centres:people", args=[world.centre.pk]), {"q": world.people["eqa"].email.upper()}
    ).context["people"]
    assert ([p.user for p in by_name], [p.user for p in by_email]) == ([world.invited], [world.people["eqa"]])


def test_people_search_for_htmx_answers_with_the_results_alone(client, world):
    sign_in(client, world, "centre admin")
    response = client.get(reverse("centres:people", args=[world.centre.pk]), {"q": "Ina"}, **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="people-results" aria-live="polite">')
    assert "Ina Invited" in page
    assert "<nav" not in page
    # caches keep the results apart from the whole page (and apart per person; compressed or not is GZip's part)
    assert {"HX-Request", "Cookie"} <= {part.strip() for part in response["Vary"].split(",")}


def test_people_search_without_a_match_says_so(client, world):
    sign_in(client, world, "centre admin")
    page = client.get(reverse("centres:people", args=[world.centre.pk]), {"q": "zzz"}).content.decode()
    assert "No one at this centre matches “zzz”." in page


def test_eqa_sees_the_lists_without_forms_or_buttons(client, world):
    sign_in(client, world, "eqa")
    people = client.get(reverse("centres:people", args=[world.centre.pk])).content.decode()
    enrolments = client.get(reverse("centres:enrolments", args=[world.centre.pk])).content.decode()
    overview = client.get(reverse("centres:overview", args=[world.centre.pk])).content.decode()
    assert "Ina Invited" in people
    assert world.enrolment.learner.full_name in enrolments
    for page in (people, enrolments, overview):
        assert "Register a person" not in page
        assert "Enrol a learner" not in page
        assert "Resend invitation" not in page
        assert "Change roles" not in page
        assert f"/enrolments/{world.enrolment.pk}/" not in page


def test_admin_sees_the_buttons(client, world):
    sign_in(client, world, "centre admin")
    people = client.get(reverse("centres:people", args=[world.centre.pk])).content.decode()
    assert "Register a person" in people
    assert people.count("Resend invitation<span") == 1  # only the person with an invitation pending


def test_enrolment_list_shows_people_specifications_and_status(client, world):
    sign_in(client, world, "centre admin")
    page = client.get(reverse("centres:enrolments", args=[world.centre.pk])).content.decode()
    enrolment = world.enrolment
    for text in (
        f'<th scope="row">{enrolment.learner.full_name}</th>',
        '<abbr title="Test unit T/000/0001">T/000/0001</abbr> v1',
        f'<td data-label="Assessor">{enrolment.assessor.full_name}</td>',
        f'<td data-label="Internal verifier">{enrolment.internal_verifier.full_name}</td>',
        '<td data-label="Start">01/09/2026</td>',
        '<span class="badge status-active">Active</span>',
    ):
        assert text.replace("'", "&#x27;") in page


def test_enrolment_list_filters_by_status(client, world):
    EnrolmentFactory(centre=world.centre, status="withdrawn")
    sign_in(client, world, "centre admin")
    url = reverse("centres:enrolments", args=[world.centre.pk])
    withdrawn = client.get(url, {"status": "withdrawn"}).context["enrolments"]
    everything = client.get(url).context["enrolments"]
    assert ([e.status for e in withdrawn], len(everything)) == (["withdrawn"], 2)


def test_enrolment_filter_without_a_match_says_so(client, world):
    sign_in(client, world, "centre admin")
    response = client.get(
        reverse("centres:enrolments", args=[world.centre.pk]), {"status": "on_hold"}, **HTMX
    )
    assert "No enrolment matches these filters." in response.content.decode()


# Registering, roles and invitations through the pages


def test_register_form_sends_one_invitation_and_says_so(client, world):
    sign_in(client, world, "centre admin")
    response = client.post(
        reverse("centres:register_person", args=[world.centre.pk]),
        {"email": "nia@example.org", "full_name": "Nia Newcomer", "roles": ["learner", "assessor"]},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("centres:people", args=[world.centre.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Nia Newcomer is registered as learner and assessor. An invitation to choose a password has been sent to "
        "nia@example.org."
    ]
    assert [message.to for message in mail.outbox] == [["nia@example.org"]]


def test_register_form_says_an_existing_account_keeps_its_name(client, world):
    sign_in(client, world, "centre admin")
    response = client.post(
        reverse("centres:register_person", args=[world.centre.pk]),
        {"email": world.people["eqa"].email, "full_name": "Elias Eqa", "roles": ["assessor"]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"{world.people['eqa'].email} already has an account (on their records as “Eli Eqa”): their name and "
        "password are unchanged. Added assessor, and sent them an e-mail saying so."
    ]


def test_register_form_says_when_nothing_changed(client, world):
    sign_in(client, world, "centre admin")
    response = client.post(
        reverse("centres:register_person", args=[world.centre.pk]),
        {"email": world.invited.email, "full_name": "Ina Invited", "roles": ["learner"]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"Ina Invited ({world.invited.email}) already holds those roles here: nothing changed and no e-mail "
        "was sent."
    ]
    assert mail.outbox == []


def test_register_form_refuses_an_invalid_email(client, world):
    sign_in(client, world, "centre admin")
    response = client.post(
        reverse("centres:register_person", args=[world.centre.pk]),
        {"email": "nia@", "full_name": "Nia Newcomer", "roles": ["learner"]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert (User.objects.filter(full_name="Nia Newcomer").exists(), len(mail.outbox)) == (False, 0)


def test_roles_form_shows_why_the_last_admin_keeps_the_role(client, world):
    admin = world.people["centre admin"]
    sign_in(client, world, "centre admin")
    response = client.post(
        reverse("centres:person_roles", args=[world.centre.pk, admin.pk]), {"roles": ["eqa"]}
    )
    assert response.context["form"].non_field_errors() == [
        "You are the only administrator of Riverside Care Academy: give someone else the administrator role first."
    ]
    assert Membership.objects.get(user=admin).role == "admin"


def test_roles_form_changes_the_roles(client, world):
    sign_in(client, world, "centre admin")
    url = reverse("centres:person_roles", args=[world.centre.pk, world.invited.pk])
    response = client.post(url, {"roles": ["learner", "assessor"]})
    assert response["Location"] == reverse("centres:people", args=[world.centre.pk])
    assert set(Membership.objects.filter(user=world.invited).values_list("role", flat=True)) == {
        "learner",
        "assessor",
    }


def test_admin_who_gives_up_the_role_is_sent_to_the_centre_index(client, world):
    admin = world.people["centre admin"]
    member(world.centre, Role.ADMIN)
    sign_in(client, world, "centre admin")
    response = client.post(
        reverse("centres:person_roles", args=[world.centre.pk, admin.pk]), {"roles": ["eqa"]}
    )
    assert response["Location"] == reverse("centres:index")


def test_resend_invitation_sends_one_email_and_says_so(client, world):
    sign_in(client, world, "centre admin")
    response = client.post(
        reverse("centres:resend_invitation", args=[world.centre.pk, world.invited.pk]), follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"A new invitation has been sent to {world.invited.email}."
    ]
    assert [message.to for message in mail.outbox] == [[world.invited.email]]


def test_resend_invitation_to_someone_with_a_password_says_why_not(client, world):
    sign_in(client, world, "centre admin")
    learner = world.people["learner"]
    response = client.post(
        reverse("centres:resend_invitation", args=[world.centre.pk, learner.pk]), follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"{learner.full_name} has already chosen a password. If they have forgotten it, they can use “Forgotten "
        "your password?” on the sign-in page."
    ]
    assert mail.outbox == []


# Query counts: the same whatever the number of rows


def add_people(centre, count):
    for index in range(count):
        user = member(centre, Role.LEARNER)
        Membership.objects.create(centre=centre, user=user, role=Role.ASSESSOR)
        if index % 2:
            user.set_unusable_password()
            user.save()


@pytest.mark.parametrize("count", [1, 30])
def test_people_list_costs_the_same_for_1_or_30_people(
    client, db, django_assert_num_queries, count, monkeypatch
):
    monkeypatch.setattr("accounts.paging.PER_PAGE", 10)  # 31 people are four pages
    centre = CentreFactory()
    admin = member(centre, Role.ADMIN)
    add_people(centre, count)
    client.force_login(admin)
    url = reverse("centres:people", args=[centre.pk])
    # session, user, the session's second-factor device, centre, roles, people: count, the page, their roles
    # here; unread count
    with django_assert_num_queries(9):
        response = client.get(url)
    assert (len(response.context["people"]), response.context["paged"].count) == (
        min(count + 1, 10),
        count + 1,
    )


@pytest.mark.parametrize("count", [1, 30])
def test_enrolment_list_costs_the_same_for_1_or_30_enrolments(
    client, db, django_assert_num_queries, count, monkeypatch
):
    monkeypatch.setattr("accounts.paging.PER_PAGE", 10)  # 30 enrolments are three pages
    centre = CentreFactory()
    admin = member(centre, Role.ADMIN)
    unit, standard = create_specification(code="A/100/0001"), create_specification(code="B/100/0002")
    for _ in range(count):
        EnrolmentFactory(centre=centre, specifications=[unit, standard])
    client.force_login(admin)
    url = reverse("centres:enrolments", args=[centre.pk])
    # session, user, the session's second-factor device, centre, roles, the assessors (filter choices),
    # enrolments: count, the page with people, their specifications; unread count
    with django_assert_num_queries(10):
        response = client.get(url, {"page": "2"} if count > 10 else {})
    assert len(response.context["enrolments"]) == min(count, 10)


def test_enrolment_list_filters_by_learner_and_assessor(client, world):
    other = EnrolmentFactory(centre=world.centre)
    sign_in(client, world, "centre admin")
    url = reverse("centres:enrolments", args=[world.centre.pk])
    by_name = client.get(url, {"q": other.learner.full_name.upper()}).context["enrolments"]
    by_assessor = client.get(url, {"assessor": world.enrolment.assessor.pk}).context["enrolments"]
    assert ([e.pk for e in by_name], [e.pk for e in by_assessor]) == ([other.pk], [world.enrolment.pk])


@pytest.mark.django_db
def test_centre_overview_links_administrators_to_the_sampling_strategy(client):
    centre = CentreFactory()
    client.force_login(member(centre, Role.ADMIN))
    page = client.get(reverse("centres:overview", args=[centre.pk])).content.decode()
    assert f'href="{reverse("quality:strategy", args=[centre.pk])}"' in page
