"""Links in e-mail reach the reader whole: on the development console and in the raw text any mail client keeps,
never folded by quoted-printable with a trailing "="."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.mail import SMTP_LINE_LIMIT, PlainTextEmail
from centres.models import Membership
from centres.services.people import register_person
from notifications.services import notify
from tests.factories import CentreFactory, UserFactory, member

CONSOLE = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# A site address as long as a real one behind a proxy: every link is then well over 78 characters.
SITE = "https://portfolio.riverside-care-academy.example.org"
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def console(settings):
    settings.MAILERS = CONSOLE
    return settings


def invite(email: str = "sam.lee@example.org"):
    centre = CentreFactory(name="Riverside Care Academy")
    return register_person(
        centre=centre,
        email=email,
        full_name="Sam Lee",
        roles=[Membership.Role.LEARNER],
        invited_by=member(centre, Membership.Role.ADMIN, full_name="Dana Price"),
        base_url=SITE,
    )


def set_password_link(text: str) -> str:
    (link,) = [found for found in LINK.findall(text) if "/accounts/reset/" in found]
    return link


def test_the_invitation_link_is_printed_whole_on_one_line_of_the_console(db, console, capsys):
    invite()

    printed = capsys.readouterr().out
    link = set_password_link(printed)
    assert link.startswith(f"{SITE}/accounts/reset/")
    assert link.endswith("/")
    assert f"\n{link}\n" in printed
    assert "=\n" not in printed


def test_the_printed_invitation_link_opens_the_page_to_choose_a_password(db, console, capsys, client):
    invite()
    link = set_password_link(capsys.readouterr().out)

    response = client.get(link.removeprefix(SITE), follow=True)

    assert response.status_code == 200
    assert "Choose your password" in response.content.decode()


def test_the_password_reset_link_is_printed_whole_on_one_line_of_the_console(db, console, capsys, client):
    UserFactory(email="sam.lee@example.org")

    client.post(reverse("password_reset"), {"email": "sam.lee@example.org"})

    printed = capsys.readouterr().out
    link = set_password_link(printed)
    assert f"\n{link}\n" in printed
    assert client.get(link.removeprefix("http://testserver"), follow=True).status_code == 200
    assert "=\n" not in printed


def test_the_invitation_is_sent_as_unencoded_text_that_keeps_the_link_whole(db):
    invite()

    (message,) = mail.outbox
    raw = message.message().as_bytes().decode()
    assert "Content-Transfer-Encoding: 7bit" in raw
    assert f"\n{set_password_link(message.body)}\n" in raw.replace("\r\n", "\n")


def test_a_notification_e_mail_keeps_a_long_link_whole(db, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = SITE
    person = UserFactory(full_name="Zoë Ålund")
    path = "/enrolments/1234/specifications/5678/matrix/#row-9012-a"

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=person, subject="Feedback on E12", message="See the matrix.", url=path)

    raw = mail.outbox[0].message().as_bytes().decode()
    assert "Content-Transfer-Encoding: 8bit" in raw  # not ASCII (the name), and every line is short enough
    assert f"\n{SITE}{path}\n" in raw.replace("\r\n", "\n")


def test_text_with_a_line_too_long_for_smtp_stays_encoded():
    message = PlainTextEmail("Subject", "x" * (SMTP_LINE_LIMIT + 1), "from@example.org", ["to@example.org"])

    assert "Content-Transfer-Encoding: quoted-printable" in message.message().as_string()
