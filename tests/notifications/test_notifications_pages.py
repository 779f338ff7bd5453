"""The notifications page, opening one, marking all read, the navigation badge and who sees what."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from notifications.context_processors import unread_count
from notifications.models import Notification
from notifications.permissions import can_view_notification
from notifications.services import NotificationError, mark_read
from tests.factories import UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
LIST = reverse("notifications:list")


@pytest.fixture
def person(db):
    return UserFactory()


@pytest.fixture
def someone_else(db):
    return UserFactory()


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def note(recipient, subject="E3 submitted by Lee Learner", *, url="/evidence/7/", read=False, **fields):
    return Notification.objects.create(
        recipient=recipient,
        subject=subject,
        url=url,
        read_at=timezone.now() if read else None,
        **fields,
    )


def open_url(notification):
    return reverse("notifications:open", args=[notification.pk])


# The list


def test_the_list_shows_only_the_persons_own_notifications_newest_first(signed_in, person, someone_else):
    note(person, "E1 submitted by Lee Learner")
    note(person, "Feedback on E2", message="Add the date of the review.")
    note(someone_else, "Feedback on somebody else's E9")

    page = signed_in.get(LIST).content.decode()

    assert page.index("Feedback on E2") < page.index("E1 submitted by Lee Learner")
    assert "Add the date of the review." in page
    assert "somebody else" not in page


def test_unread_notifications_are_marked_new_and_read_ones_are_not(signed_in, person):
    unread = note(person, "Feedback on E2")
    read = note(person, "E1 signed off", read=True)

    page = signed_in.get(LIST).content.decode()

    new = '<span class="badge status-submitted">New</span>'
    assert f'{new} <strong><a href="{open_url(unread)}">Feedback on E2</a></strong>' in page
    assert f'<p><a href="{open_url(read)}">E1 signed off</a></p>' in page


def test_the_list_says_when_there_is_nothing_yet(signed_in):
    page = signed_in.get(LIST).content.decode()
    assert "No notifications yet." in page
    assert "Mark all read" not in page


def test_an_htmx_request_gets_the_list_alone(signed_in, person):
    note(person, "Feedback on E2")
    response = signed_in.get(LIST, **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="notification-items">')
    assert "Feedback on E2" in page
    assert "<h1>" not in page
    # caches keep the list apart from the whole page (and apart per person; compressed or not is GZip's part)
    assert {"HX-Request", "Cookie"} <= {part.strip() for part in response["Vary"].split(",")}


def test_the_list_is_shown_25_to_a_page(signed_in, person):
    Notification.objects.bulk_create(Notification(recipient=person, subject=f"News {n}") for n in range(30))
    first = signed_in.get(LIST).content.decode()
    second = signed_in.get(LIST, {"page": 2}).content.decode()
    assert (first.count('class="evidence-item'), second.count('class="evidence-item')) == (25, 5)
    assert "Page 1 of 2" in first


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_costs_the_same_queries_however_many_notifications(
    signed_in, person, django_assert_num_queries, count
):
    Notification.objects.bulk_create(
        Notification(recipient=person, subject=f"News {n}", read_at=timezone.now() if n % 2 else None)
        for n in range(count)
    )
    with django_assert_num_queries(6):  # session, user, count, roles (Centre link), unread count, page
        response = signed_in.get(LIST)
    assert response.status_code == 200


# Opening a notification


def test_opening_a_notification_marks_it_read_and_goes_where_it_leads(signed_in, person):
    notification = note(person, url="/evidence/7/")

    response = signed_in.get(open_url(notification))

    assert (response.status_code, response["Location"]) == (302, "/evidence/7/")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_it_again_keeps_the_first_reading_time(signed_in, person):
    notification = note(person, read=True)
    first_read = notification.read_at
    signed_in.get(open_url(notification))
    notification.refresh_from_db()
    assert notification.read_at == first_read


@pytest.mark.parametrize(
    "url",
    ["https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere.example", "javascript:alert(1)"],
)
def test_opening_never_redirects_to_another_site(signed_in, person, url):
    notification = note(person, url=url)  # written past notify(), which refuses such links

    response = signed_in.get(open_url(notification))

    assert (response.status_code, response["Location"]) == (302, LIST)
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_notification_without_a_link_opens_the_list(signed_in, person):
    response = signed_in.get(open_url(note(person, url="")))
    assert response["Location"] == LIST


def test_another_persons_notification_is_not_found(signed_in, someone_else):
    notification = note(someone_else)

    response = signed_in.get(open_url(notification))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_notification_that_does_not_exist_is_not_found(signed_in):
    assert signed_in.get(reverse("notifications:open", args=[999999])).status_code == 404


def test_only_the_recipient_can_mark_a_notification_read(person, someone_else):
    with pytest.raises(NotificationError, match="Only the person a notification was sent to"):
        mark_read(user=someone_else, notification=note(person))


@pytest.mark.parametrize(
    "url_name", ["notifications:list", "notifications:open", "notifications:mark_all_read"]
)
def test_visitors_are_sent_to_sign_in(client, person, url_name):
    url = reverse(url_name, args=[note(person).pk]) if url_name == "notifications:open" else reverse(url_name)
    response = client.post(url) if url_name == "notifications:mark_all_read" else client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("recipient", True), ("someone else", False), ("anonymous", False), ("inactive", False)],
)
def test_only_the_recipient_may_see_a_notification(person, someone_else, who, expected):
    notification = note(person)
    user = {"recipient": person, "someone else": someone_else, "anonymous": AnonymousUser()}.get(who, person)
    if who == "inactive":
        person.is_active = False
    assert can_view_notification(user, notification) is expected


# Mark all read


def test_mark_all_read_marks_the_persons_notifications_and_no_one_elses(signed_in, person, someone_else):
    note(person)
    note(person)
    note(person, read=True)
    others = note(someone_else)

    response = signed_in.post(reverse("notifications:mark_all_read"), follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert "Marked 2 notifications read." in response.content.decode()
    assert Notification.objects.filter(recipient=person, read_at=None).count() == 0
    others.refresh_from_db()
    assert others.read_at is None


def test_mark_all_read_by_htmx_returns_the_list_and_the_updated_navigation_link(signed_in, person):
    note(person)

    page = signed_in.post(reverse("notifications:mark_all_read"), **HTMX).content.decode()

    assert page.lstrip().startswith('<div id="notification-items">')
    assert "Marked 1 notification read." in page
    assert (
        f'<a id="nav-notifications" href="{LIST}" aria-current="page" hx-swap-oob="true">Notifications</a>'
        in page
    )
    assert "Mark all read" not in page


def test_mark_all_read_answers_only_post(signed_in):
    assert signed_in.get(reverse("notifications:mark_all_read")).status_code == 405


# The navigation badge


def test_the_navigation_shows_how_many_are_unread(signed_in, person, someone_else):
    for _ in range(3):
        note(person)
    note(person, read=True)
    note(someone_else)

    page = signed_in.get(reverse("assessments:home")).content.decode()

    assert (
        f'<a id="nav-notifications" href="{LIST}" aria-label="Notifications, 3 unread">Notifications (3)</a>'
        in page
    )


def test_the_navigation_shows_no_count_when_everything_is_read(signed_in, person):
    note(person, read=True)
    page = signed_in.get(reverse("assessments:home")).content.decode()
    assert f'<a id="nav-notifications" href="{LIST}">Notifications</a>' in page


def test_the_unread_count_costs_one_query_however_often_a_template_reads_it(
    rf, person, django_assert_num_queries
):
    note(person)
    request = rf.get("/")
    request.user = person
    context = unread_count(request)
    with django_assert_num_queries(1):  # the unread count, once
        assert (context["unread_notification_count"](), context["unread_notification_count"]()) == (1, 1)


def test_the_unread_count_costs_visitors_nothing(rf, db, django_assert_num_queries):
    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):  # none: a visitor has no notifications
        assert unread_count(request) == {}
