"""The history page of a portfolio: who may open it, what it shows, and what it costs."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from audit.selectors import HISTORY_PAGE_SIZE
from audit.services import record
from centres.access import Access
from portfolio.permissions import can_view_history
from portfolio.services import evidence as services
from portfolio.services import mappings
from tests.factories import (
    ROLES,
    CentreFactory,
    EnrolmentFactory,
    UserFactory,
    create_evidence_for,
    create_specification,
    people_around,
)
from units.models import Criterion


@dataclass
class World:
    people: dict
    enrolment: object
    evidence: object


@pytest.fixture
def world(db) -> World:
    specification = create_specification()
    enrolment = EnrolmentFactory(specifications=[specification])
    evidence = create_evidence_for(enrolment, title="Care review")
    criterion = Criterion.objects.get(specification=specification, ref="1.1")
    mappings.add_mapping(
        user=enrolment.learner, evidence=evidence, criterion=criterion, range_item=criterion.range_items.get()
    )
    services.update_evidence(
        user=enrolment.learner,
        evidence=evidence,
        title="Care review with the family",
        date=evidence.date,
        method=evidence.method,
    )
    return World(people_around(enrolment), enrolment, evidence)


def history_url(enrolment) -> str:
    return reverse("portfolio:history", args=[enrolment.pk])


# The learner reads their own history; so do those who look after the portfolio. Everyone else: 404.
ANSWERS = {
    "learner": 200,
    "other learner": 404,
    "assessor": 200,
    "other assessor": 404,
    "internal verifier": 200,
    "centre admin": 200,
    "eqa": 200,
    "other centre admin": 404,
    "anonymous": 302,
}
assert set(ANSWERS) == set(ROLES), "the history page leaves a role out"


@pytest.mark.parametrize(("role", "expected"), [pytest.param(r, e, id=r) for r, e in ANSWERS.items()])
def test_history_page_answers_each_role(client, world, role, expected):
    if world.people[role] is not None:
        client.force_login(world.people[role])

    response = client.get(history_url(world.enrolment))

    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    if expected == 404:
        assert "Care review" not in response.content.decode()


def test_history_of_an_enrolment_that_does_not_exist_is_not_found(client, world):
    client.force_login(world.people["centre admin"])
    assert client.get(reverse("portfolio:history", args=[world.enrolment.pk + 1000])).status_code == 404


def test_an_assessor_of_another_enrolment_of_the_learner_in_the_centre_may_read_it(world):
    later = EnrolmentFactory(centre=world.enrolment.centre, learner=world.enrolment.learner)
    assert (
        can_view_history(
            Access(later.assessor), learner_id=world.enrolment.learner_id, centre=world.enrolment.centre
        )
        is True
    )


def test_the_learners_assessor_at_another_centre_may_not_read_this_centres_history(world):
    elsewhere = EnrolmentFactory(centre=CentreFactory(), learner=world.enrolment.learner)
    assert (
        can_view_history(
            Access(elsewhere.assessor), learner_id=world.enrolment.learner_id, centre=world.enrolment.centre
        )
        is False
    )


def test_an_inactive_administrator_may_not_read_it(world):
    admin = world.people["centre admin"]
    admin.is_active = False
    assert (
        can_view_history(Access(admin), learner_id=world.enrolment.learner_id, centre=world.enrolment.centre)
        is False
    )


def test_history_shows_each_change_newest_first_with_who_and_the_chain_position(client, world):
    client.force_login(world.people["assessor"])

    page = client.get(history_url(world.enrolment)).content.decode()

    learner = world.enrolment.learner.full_name
    assert "3 entries." in page
    updated, mapped, created = (
        page.index("E1 changed: title"),
        page.index("E1 mapped to T/000/0001 v1 1.1 a)"),
        page.index("E1 created as a draft: Care review"),
    )
    assert updated < mapped < created
    assert page.count(f"· {learner}") == 3
    newest = AuditEntry.objects.get(sequence=3)
    assert f'entry 3, check code <code title="{newest.entry_hash}">{newest.entry_hash[:12]}…</code>' in page
    assert (
        '<th scope="row">Title</th><td data-label="Before">Care review</td>'
        '<td data-label="After">Care review with the family</td>' in page
    )
    assert page.count("<summary>Before and after</summary>") == 1
    assert page.count("<summary>Details</summary>") == 2  # the creation and the mapping: after only
    assert '<th scope="row">Range item</th><td>a</td>' in page


def test_a_removed_mapping_shows_what_it_was(client, world):
    mappings.remove_mapping(user=world.enrolment.learner, mapping=world.evidence.mappings.get())
    client.force_login(world.people["learner"])

    page = client.get(history_url(world.enrolment)).content.decode()

    assert "<strong>Mapping removed</strong>: E1 no longer mapped to T/000/0001 v1 1.1 a)" in page
    assert page.count("<summary>As it was</summary>") == 1


def test_history_leaves_out_other_learners_and_other_centres(client, world):
    neighbour = world.people["other learner"].enrolments.get()
    create_evidence_for(neighbour, title="Someone else's account")
    elsewhere = EnrolmentFactory(centre=CentreFactory(), learner=world.enrolment.learner)
    create_evidence_for(elsewhere, title="Work at another centre")
    client.force_login(world.people["learner"])

    page = client.get(history_url(world.enrolment)).content.decode()

    assert "3 entries." in page
    assert "Someone else" not in page
    assert "Work at another centre" not in page


def test_history_of_a_portfolio_with_nothing_recorded(client, db):
    enrolment = EnrolmentFactory()
    client.force_login(enrolment.learner)
    page = client.get(history_url(enrolment)).content.decode()
    assert "Nothing has been recorded for this portfolio yet." in page


def test_a_system_entry_is_shown_as_the_systems(client, world):
    record(
        actor=None,
        action="enrolment.updated",
        summary="Enrolment of the learner changed: status",
        subject=world.enrolment,
        learner=world.enrolment.learner,
        centre=world.enrolment.centre,
        before={"status": "Active"},
        after={"status": "Completed"},
    )
    client.force_login(world.people["eqa"])

    page = client.get(history_url(world.enrolment)).content.decode()

    assert "<strong>Enrolment changed</strong>: Enrolment of the learner changed: status" in page
    assert "· System" in page


def many_entries(world, count: int) -> None:
    for number in range(count):
        record(
            actor=world.enrolment.learner,
            action="evidence.updated",
            summary=f"Change number {number + 1}",
            subject=world.evidence,
            learner=world.enrolment.learner,
            centre=world.enrolment.centre,
            before={"title": "a"},
            after={"title": "b"},
        )


def test_history_is_paged_newest_first(client, world):
    many_entries(world, HISTORY_PAGE_SIZE)  # 53 entries in all
    client.force_login(world.people["internal verifier"])

    first = client.get(history_url(world.enrolment)).content.decode()
    second = client.get(history_url(world.enrolment), {"page": 2}).content.decode()

    assert "53 entries, showing 1 to 50." in first
    assert first.index("Change number 50<") < first.index("Change number 1<")
    assert "E1 created as a draft" not in first
    assert 'href="?page=2" rel="next">Older</a>' in first
    assert "Page 1 of 2" in first
    assert "53 entries, showing 51 to 53." in second
    assert "E1 created as a draft" in second
    assert "Change number" not in second
    assert 'href="?page=1" rel="prev">Newer</a>' in second


def test_a_page_number_past_the_end_shows_the_last_page(client, world):
    client.force_login(world.people["learner"])
    response = client.get(history_url(world.enrolment), {"page": 99})
    assert response.status_code == 200
    assert response.context["entries"].number == 1


@pytest.mark.parametrize("count", [1, HISTORY_PAGE_SIZE])
def test_history_costs_the_same_queries_whatever_its_length(client, db, django_assert_num_queries, count):
    enrolment = EnrolmentFactory()
    evidence = create_evidence_for(enrolment)
    for _ in range(count - 1):
        services.update_evidence(
            user=enrolment.learner,
            evidence=evidence,
            title=f"Title {_}",
            date=evidence.date,
            method=evidence.method,
        )
    assert AuditEntry.objects.filter(learner=enrolment.learner).count() == count
    client.force_login(enrolment.assessor)

    # session, user, the session's second-factor device, enrolment with learner and centre, roles, assigned enrolment, count, the notifications count
    # of the page layout, entries
    with django_assert_num_queries(9):
        response = client.get(history_url(enrolment))

    assert len(response.context["entries"]) == count


def test_the_enrolment_page_links_to_the_history(client, world):
    client.force_login(world.people["learner"])
    page = client.get(reverse("assessments:enrolment_detail", args=[world.enrolment.pk])).content.decode()
    assert f'<a href="{history_url(world.enrolment)}">History of this portfolio</a>' in page


# The admin shows the trail and changes nothing


@pytest.fixture
def superuser_client(client, world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_lists_the_trail(superuser_client):
    page = superuser_client.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert "E1 created as a draft: Care review" in page


def test_admin_shows_an_entry_read_only(superuser_client):
    entry = AuditEntry.objects.get(sequence=1)
    response = superuser_client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


@pytest.mark.parametrize("view", ["add", "delete"])
def test_admin_refuses_to_add_or_delete(superuser_client, view):
    entry = AuditEntry.objects.get(sequence=1)
    args = [] if view == "add" else [entry.pk]
    assert superuser_client.get(reverse(f"admin:audit_auditentry_{view}", args=args)).status_code == 403


def test_admin_refuses_to_change_an_entry_by_post(superuser_client):
    entry = AuditEntry.objects.get(sequence=1)
    response = superuser_client.post(
        reverse("admin:audit_auditentry_change", args=[entry.pk]), {"summary": "rewritten"}
    )
    assert response.status_code == 403
    assert AuditEntry.objects.get(sequence=1).summary == "E1 created as a draft: Care review"
