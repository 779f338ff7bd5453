"""Granting and ending an EQA's read-only access: who may, what may be chosen, and the trail it leaves."""

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from centres.models import EQAGrant, Membership
from centres.selectors import eqa_grants_in_force
from centres.services.eqa import EQAGrantError, grant_eqa_access, revoke_eqa_access
from tests.factories import CentreFactory, EnrolmentFactory, member

Role = Membership.Role
TODAY = timezone.localdate


def days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


@pytest.fixture
def centre(db):
    return CentreFactory(name="Riverside Care Academy")


@pytest.fixture
def admin(centre):
    return member(centre, Role.ADMIN)


@pytest.fixture
def eqa(centre):
    return member(centre, Role.EQA, full_name="Erin Quality")


@pytest.fixture
def enrolment(centre, unit):
    return EnrolmentFactory(centre=centre, specifications=[unit])


def grant(centre, eqa, admin, **changes):
    arguments = {
        "centre": centre,
        "eqa": eqa,
        "by": admin,
        "starts_on": days(0),
        "ends_on": days(30),
        "whole_centre": True,
        "enrolments": [],
    } | changes
    return grant_eqa_access(**arguments)


def test_admin_grants_the_whole_centre_and_the_trail_records_it(centre, eqa, admin):
    made = grant(centre, eqa, admin)
    entry = AuditEntry.objects.get(action="eqa.granted")
    assert (made.whole_centre, list(made.enrolments.all()), made.granted_by) == (True, [], admin)
    assert (entry.actor, entry.centre, entry.after["whole_centre"], entry.after["eqa"]) == (
        admin,
        centre,
        True,
        eqa.pk,
    )


def test_admin_grants_chosen_portfolios(centre, eqa, admin, enrolment):
    made = grant(centre, eqa, admin, whole_centre=False, enrolments=[enrolment])
    assert list(made.enrolments.all()) == [enrolment]
    assert AuditEntry.objects.get(action="eqa.granted").after["enrolments"] == [enrolment.pk]


def test_a_whole_centre_grant_keeps_no_chosen_portfolios(centre, eqa, admin, enrolment):
    assert list(grant(centre, eqa, admin, enrolments=[enrolment]).enrolments.all()) == []


def test_only_an_administrator_of_the_centre_grants(centre, eqa, enrolment):
    with pytest.raises(EQAGrantError, match="Only an administrator of the centre may grant EQA access."):
        grant(centre, eqa, enrolment.assessor)
    with pytest.raises(EQAGrantError, match="Only an administrator of the centre may grant EQA access."):
        grant(centre, eqa, member(CentreFactory(), Role.ADMIN))
    assert (EQAGrant.objects.count(), AuditEntry.objects.filter(action="eqa.granted").count()) == (0, 0)


def test_the_person_must_hold_the_eqa_role_in_that_centre(centre, admin):
    outsider = member(CentreFactory(), Role.EQA, full_name="Otto Outside")
    with pytest.raises(EQAGrantError, match="Otto Outside is not an external quality assurer of Riverside"):
        grant(centre, outsider, admin)
    assert EQAGrant.objects.count() == 0


def test_the_period_cannot_end_before_it_starts(centre, eqa, admin):
    with pytest.raises(EQAGrantError, match="The access must end on or after the day it starts."):
        grant(centre, eqa, admin, starts_on=days(5), ends_on=days(4))
    assert EQAGrant.objects.count() == 0


def test_a_one_day_grant_is_allowed(centre, eqa, admin):
    made = grant(centre, eqa, admin, starts_on=days(0), ends_on=days(0))
    assert list(eqa_grants_in_force(eqa, on=TODAY())) == [made]


def test_chosen_portfolios_must_belong_to_the_centre(centre, eqa, admin, unit):
    elsewhere = EnrolmentFactory(centre=CentreFactory(), specifications=[unit])
    with pytest.raises(EQAGrantError, match="Only portfolios of this centre may be chosen."):
        grant(centre, eqa, admin, whole_centre=False, enrolments=[elsewhere])
    assert EQAGrant.objects.count() == 0


def test_at_least_one_portfolio_unless_the_whole_centre(centre, eqa, admin):
    with pytest.raises(EQAGrantError, match="Choose at least one portfolio, or the whole centre."):
        grant(centre, eqa, admin, whole_centre=False, enrolments=[])
    assert EQAGrant.objects.count() == 0


def test_grants_in_force_are_those_in_force_today(centre, eqa, admin):
    current = grant(centre, eqa, admin, starts_on=days(-10), ends_on=days(0))
    grant(centre, eqa, admin, starts_on=days(1), ends_on=days(10))
    grant(centre, eqa, admin, starts_on=days(-10), ends_on=days(-1))
    assert list(eqa_grants_in_force(eqa, on=TODAY())) == [current]


def test_grants_in_force_leave_out_a_centre_where_the_role_was_taken_away(centre, eqa, admin):
    grant(centre, eqa, admin)
    Membership.objects.filter(user=eqa, centre=centre).delete()
    assert list(eqa_grants_in_force(eqa, on=TODAY())) == []


def test_revoking_ends_the_access_now_and_the_trail_records_it(centre, eqa, admin):
    made = grant(centre, eqa, admin, starts_on=days(-10), ends_on=days(30))
    revoke_eqa_access(grant=made, by=admin)
    made.refresh_from_db()
    entry = AuditEntry.objects.get(action="eqa.revoked")
    assert (made.starts_on, made.ends_on) == (days(-10), days(-1))
    assert (entry.actor, entry.before["ends_on"], entry.after["ends_on"]) == (
        admin,
        days(30).isoformat(),
        days(-1).isoformat(),
    )
    assert list(eqa_grants_in_force(eqa, on=TODAY())) == []


def test_revoking_a_grant_that_starts_today_or_later_leaves_a_valid_period(centre, eqa, admin):
    made = grant(centre, eqa, admin, starts_on=days(3), ends_on=days(30))
    revoke_eqa_access(grant=made, by=admin)
    made.refresh_from_db()
    assert (made.starts_on, made.ends_on) == (days(-1), days(-1))
    assert list(eqa_grants_in_force(eqa, on=days(3))) == []


def test_an_ended_grant_cannot_be_revoked_again(centre, eqa, admin):
    made = grant(centre, eqa, admin, starts_on=days(-10), ends_on=days(-2))
    with pytest.raises(EQAGrantError, match="This access has already ended."):
        revoke_eqa_access(grant=made, by=admin)
    assert AuditEntry.objects.filter(action="eqa.revoked").count() == 0


def test_only_an_administrator_of_the_centre_revokes(centre, eqa, admin):
    made = grant(centre, eqa, admin)
    with pytest.raises(EQAGrantError, match="Only an administrator of the centre may end EQA access."):
        revoke_eqa_access(grant=made, by=eqa)
    made.refresh_from_db()
    assert made.ends_on == days(30)
