"""Enrolling learners and changing enrolments: the rules, and how the forms show them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from centres.models import EnrolledSpecification, Enrolment, Membership
from centres.services import CentreError, enrolments, people
from portfolio.services.mappings import add_mapping
from tests.factories import CentreFactory, EnrolmentFactory, create_evidence_for, create_specification, member
from units.models import Criterion

Role = Membership.Role
START = datetime.date(2026, 9, 1)


@pytest.fixture
def centre(db):
    return CentreFactory(name="Riverside Care Academy")


@pytest.fixture
def specs(db):
    return [create_specification(code="A/100/0001"), create_specification(code="B/100/0002")]


@pytest.fixture
def cast(centre):
    return {
        "admin": member(centre, Role.ADMIN),
        "learner": member(centre, Role.LEARNER, full_name="Lee Learner"),
        "assessor": member(centre, Role.ASSESSOR, full_name="Asha Assessor"),
        "iv": member(centre, Role.INTERNAL_VERIFIER, full_name="Ivan Verifier"),
    }


def enrol(centre, cast, specs, **overrides):
    fields = {
        "learner": cast["learner"],
        "specifications": specs,
        "start_date": START,
        "assessor": cast["assessor"],
        "internal_verifier": cast["iv"],
        **overrides,
    }
    return enrolments.enrol(centre=centre, **fields)


def specification_codes(enrolment) -> list[str]:
    return [
        enrolled.specification.code for enrolled in enrolment.enrolled_specifications.order_by("position")
    ]


# Services


def test_enrolment_covers_the_specifications_in_the_order_given(centre, cast, specs):
    enrolment = enrol(centre, cast, [specs[1], specs[0]])
    assert (enrolment.status, enrolment.start_date, specification_codes(enrolment)) == (
        "active",
        START,
        ["B/100/0002", "A/100/0001"],
    )


def test_enrolment_may_wait_for_an_assessor_and_iv(centre, cast, specs):
    enrolment = enrol(centre, cast, specs, assessor=None, internal_verifier=None)
    assert (enrolment.assessor, enrolment.internal_verifier) == (None, None)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"learner": "assessor", "assessor": None},
            "Asha Assessor is not a learner at Riverside Care Academy",
        ),
        ({"assessor": "iv", "internal_verifier": None}, "Ivan Verifier is not an assessor at Riverside"),
        ({"internal_verifier": "assessor", "assessor": None}, "Asha Assessor is not an internal verifier at"),
        ({"assessor": "learner"}, "A learner cannot be their own assessor"),
        ({"internal_verifier": "learner"}, "A learner cannot be their own internal verifier"),
        ({"specifications": []}, "Choose at least one specification to enrol the learner on."),
    ],
    ids=["learner role", "assessor role", "iv role", "self-assessment", "learner as iv", "no specification"],
)
def test_enrolment_breaking_a_rule_is_refused_and_nothing_saved(centre, cast, specs, overrides, message):
    values = {key: cast[value] if isinstance(value, str) else value for key, value in overrides.items()}
    with pytest.raises(CentreError, match=message):
        enrol(centre, cast, specs, **values)
    assert (Enrolment.objects.count(), EnrolledSpecification.objects.count()) == (0, 0)


def test_an_assessor_cannot_verify_their_own_decisions(centre, cast, specs):
    both = member(centre, Role.ASSESSOR, full_name="Bo Both")
    Membership.objects.create(centre=centre, user=both, role=Role.INTERNAL_VERIFIER)
    with pytest.raises(CentreError, match="Bo Both cannot verify their own assessment decisions"):
        enrol(centre, cast, specs, assessor=both, internal_verifier=both)


def test_a_role_in_another_centre_does_not_count(centre, cast, specs):
    elsewhere = member(CentreFactory(), Role.ASSESSOR, full_name="Eve Elsewhere")
    with pytest.raises(CentreError, match="Eve Elsewhere is not an assessor at Riverside Care Academy"):
        enrol(centre, cast, specs, assessor=elsewhere)


def test_a_learner_is_not_enrolled_twice_on_the_same_specification(centre, cast, specs):
    enrol(centre, cast, specs[:1])
    with pytest.raises(CentreError, match="Lee Learner is already enrolled on A/100/0001 version 1 here"):
        enrol(centre, cast, specs)
    assert Enrolment.objects.count() == 1


def test_a_withdrawn_learner_can_be_enrolled_again(centre, cast, specs):
    first = enrol(centre, cast, specs)
    enrolments.update_enrolment(enrolment=first, status=Enrolment.Status.WITHDRAWN)
    enrol(centre, cast, specs, start_date=datetime.date(2027, 1, 4))
    assert Enrolment.objects.filter(learner=cast["learner"]).count() == 2


def test_status_changes_to_on_hold(centre, cast, specs):
    enrolment = enrolments.update_enrolment(enrolment=enrol(centre, cast, specs), status="on_hold")
    enrolment.refresh_from_db()
    assert enrolment.status == "on_hold"


def test_an_unknown_status_is_refused(centre, cast, specs):
    with pytest.raises(CentreError, match="There is no enrolment status 'paused'"):
        enrolments.update_enrolment(enrolment=enrol(centre, cast, specs), status="paused")


def test_update_leaves_what_is_not_given(centre, cast, specs):
    enrolment = enrolments.update_enrolment(
        enrolment=enrol(centre, cast, specs), start_date=datetime.date(2026, 10, 1)
    )
    enrolment.refresh_from_db()
    assert (enrolment.assessor, enrolment.internal_verifier, specification_codes(enrolment)) == (
        cast["assessor"],
        cast["iv"],
        ["A/100/0001", "B/100/0002"],
    )


def test_assessor_can_be_unassigned(centre, cast, specs):
    enrolment = enrolments.update_enrolment(enrolment=enrol(centre, cast, specs), assessor=None)
    enrolment.refresh_from_db()
    assert enrolment.assessor is None


def test_update_refuses_the_assessor_as_iv(centre, cast, specs):
    Membership.objects.create(centre=centre, user=cast["assessor"], role=Role.INTERNAL_VERIFIER)
    enrolment = enrol(centre, cast, specs)
    with pytest.raises(CentreError, match="Asha Assessor cannot verify their own assessment decisions"):
        enrolments.update_enrolment(enrolment=enrolment, internal_verifier=cast["assessor"])
    enrolment.refresh_from_db()
    assert enrolment.internal_verifier == cast["iv"]


def test_added_specifications_go_after_the_kept_ones(centre, cast, specs):
    third = create_specification(code="C/100/0003")
    enrolment = enrolments.update_enrolment(
        enrolment=enrol(centre, cast, specs[1:]), specifications=[third, specs[1]]
    )
    assert specification_codes(enrolment) == ["B/100/0002", "C/100/0003"]


def test_a_specification_without_evidence_can_be_removed(centre, cast, specs):
    enrolment = enrolments.update_enrolment(enrolment=enrol(centre, cast, specs), specifications=specs[:1])
    assert specification_codes(enrolment) == ["A/100/0001"]


def test_a_specification_with_evidence_mapped_cannot_be_removed(centre, cast, specs):
    enrolment = enrol(centre, cast, specs)
    evidence = create_evidence_for(enrolment)
    add_mapping(
        user=cast["learner"],
        evidence=evidence,
        criterion=Criterion.objects.get(specification=specs[1], ref="1.1"),
        range_item=Criterion.objects.get(specification=specs[1], ref="1.1").range_items.get(),
    )
    with pytest.raises(
        CentreError,
        match="B/100/0002 version 1 stays on this enrolment: evidence E1 is mapped to its criteria.",
    ):
        enrolments.update_enrolment(enrolment=enrolment, specifications=specs[:1])
    assert specification_codes(enrolment) == ["A/100/0001", "B/100/0002"]


# Forms


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast["admin"])
    return client


def post_new(client, centre, cast, specs, **overrides):
    data = {
        "learner": cast["learner"].pk,
        "specifications": [spec.pk for spec in specs],
        "start_date": "2026-09-01",
        "assessor": cast["assessor"].pk,
        "internal_verifier": cast["iv"].pk,
        **overrides,
    }
    return client.post(reverse("centres:enrolment_create", args=[centre.pk]), data)


def test_admin_enrols_a_learner_through_the_form(admin_client, centre, cast, specs):
    response = post_new(admin_client, centre, cast, specs)
    assert response.status_code == 302
    assert response["Location"] == reverse("centres:enrolments", args=[centre.pk])
    enrolment = Enrolment.objects.get()
    assert (enrolment.learner, enrolment.assessor, specification_codes(enrolment)) == (
        cast["learner"],
        cast["assessor"],
        ["A/100/0001", "B/100/0002"],
    )


def test_form_offers_only_this_centres_people_in_each_role(admin_client, centre, cast, specs):
    member(CentreFactory(), Role.LEARNER, full_name="Olive Otherplace")
    form = admin_client.get(reverse("centres:enrolment_create", args=[centre.pk])).context["form"]
    assert [str(user) for user in form.fields["learner"].queryset] == ["Lee Learner"]
    assert [str(user) for user in form.fields["assessor"].queryset] == ["Asha Assessor"]
    assert [str(user) for user in form.fields["internal_verifier"].queryset] == ["Ivan Verifier"]


def test_form_labels_specifications_with_code_title_and_version(admin_client, centre, cast, specs):
    page = admin_client.get(reverse("centres:enrolment_create", args=[centre.pk])).content.decode()
    assert "A/100/0001 · Test unit A/100/0001 · version 1" in page


def test_a_learner_of_another_centre_is_not_a_valid_choice(admin_client, centre, cast, specs):
    outsider = member(CentreFactory(), Role.LEARNER)
    response = post_new(admin_client, centre, cast, specs, learner=outsider.pk)
    assert response.status_code == 200
    assert response.context["form"].errors["learner"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert Enrolment.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"assessor": "learner"}, "A learner cannot be their own assessor: choose someone else as assessor."),
        (
            {"internal_verifier": "learner"},
            "A learner cannot be their own internal verifier: choose someone else as IV.",
        ),
        (
            {"internal_verifier": "assessor"},
            "Asha Assessor cannot verify their own assessment decisions: choose a different internal verifier "
            "from the assessor.",
        ),
    ],
    ids=["self-assessment", "learner as iv", "self-verification"],
)
def test_form_shows_the_rule_broken_and_saves_nothing(admin_client, centre, cast, specs, overrides, message):
    for role in (Role.ASSESSOR, Role.INTERNAL_VERIFIER):
        Membership.objects.get_or_create(centre=centre, user=cast["learner"], role=role)
    Membership.objects.create(centre=centre, user=cast["assessor"], role=Role.INTERNAL_VERIFIER)
    response = post_new(admin_client, centre, cast, specs, **{k: cast[v].pk for k, v in overrides.items()})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [message]
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert Enrolment.objects.count() == 0


def test_form_needs_a_specification(admin_client, centre, cast, specs):
    response = post_new(admin_client, centre, cast, [])
    assert response.context["form"].errors["specifications"] == ["This field is required."]
    assert Enrolment.objects.count() == 0


def test_form_shows_a_duplicate_enrolment(admin_client, centre, cast, specs):
    enrol(centre, cast, specs)
    response = post_new(admin_client, centre, cast, specs)
    assert response.context["form"].non_field_errors() == [
        "Lee Learner is already enrolled on A/100/0001 version 1 here (from 01/09/2026, active): edit that "
        "enrolment instead."
    ]
    assert Enrolment.objects.count() == 1


def edit_data(enrolment, **overrides):
    return {
        "specifications": [enrolled.specification_id for enrolled in enrolment.enrolled_specifications.all()],
        "start_date": enrolment.start_date.isoformat(),
        "assessor": enrolment.assessor_id or "",
        "internal_verifier": enrolment.internal_verifier_id or "",
        "status": enrolment.status,
        **overrides,
    }


def test_admin_withdraws_an_enrolment_through_the_form(admin_client, centre, cast, specs):
    enrolment = enrol(centre, cast, specs)
    url = reverse("centres:enrolment_edit", args=[centre.pk, enrolment.pk])
    response = admin_client.post(url, edit_data(enrolment, status="withdrawn"))
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"


def test_edit_form_starts_with_the_enrolments_values(admin_client, centre, cast, specs):
    enrolment = enrol(centre, cast, specs[:1])
    form = admin_client.get(reverse("centres:enrolment_edit", args=[centre.pk, enrolment.pk])).context["form"]
    assert (form["specifications"].value(), form["assessor"].value(), form["status"].value()) == (
        [specs[0].pk],
        cast["assessor"].pk,
        "active",
    )
    assert "learner" not in form.fields


def test_edit_form_refuses_removing_a_specification_with_evidence(admin_client, centre, cast, specs):
    enrolment = enrol(centre, cast, specs)
    criterion = Criterion.objects.get(specification=specs[0], ref="2.1")
    add_mapping(
        user=cast["learner"],
        evidence=create_evidence_for(enrolment),
        criterion=criterion,
        range_item=criterion.range_items.get(),
    )
    url = reverse("centres:enrolment_edit", args=[centre.pk, enrolment.pk])
    response = admin_client.post(url, edit_data(enrolment, specifications=[specs[1].pk]))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A/100/0001 version 1 stays on this enrolment: evidence E1 is mapped to its criteria. A specification "
        "cannot be removed once evidence is mapped to it."
    ]
    assert specification_codes(enrolment) == ["A/100/0001", "B/100/0002"]


def test_edit_form_keeps_an_assessor_who_has_since_lost_the_role(admin_client, centre, cast, specs):
    enrolment = enrol(centre, cast, specs)
    enrolments.update_enrolment(enrolment=enrolment, status="completed")
    people.set_roles(centre=centre, user=cast["assessor"], roles=[Role.LEARNER], changed_by=cast["admin"])
    enrolment.refresh_from_db()
    url = reverse("centres:enrolment_edit", args=[centre.pk, enrolment.pk])
    response = admin_client.post(url, edit_data(enrolment, start_date="2026-09-02"))
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.assessor, enrolment.start_date) == (cast["assessor"], datetime.date(2026, 9, 2))


def test_enrolment_of_another_centre_answers_404(admin_client, centre, cast, specs):
    elsewhere = EnrolmentFactory(specifications=specs)
    response = admin_client.get(reverse("centres:enrolment_edit", args=[centre.pk, elsewhere.pk]))
    assert response.status_code == 404


def test_form_offers_todays_date_in_the_browsers_date_format(admin_client, centre, cast, specs):
    page = admin_client.get(reverse("centres:enrolment_create", args=[centre.pk])).content.decode()
    assert f'<input type="date" name="start_date" value="{timezone.localdate().isoformat()}"' in page


def test_admin_puts_a_learner_in_an_enrolment_group_through_the_form(admin_client, centre, cast, specs):
    post_new(admin_client, centre, cast, specs, group="  Level 5 September 2026 ")
    assert Enrolment.objects.get().group == "Level 5 September 2026"


def test_moving_a_learner_to_another_enrolment_group_is_audited(admin_client, centre, cast, specs):
    enrolment = enrol(centre, cast, specs, group="Level 5 September 2026")
    url = reverse("centres:enrolment_edit", args=[centre.pk, enrolment.pk])

    admin_client.post(url, edit_data(enrolment, group="Level 5 January 2027"))

    entry = AuditEntry.objects.filter(action="enrolment.updated").get()
    assert (entry.before, entry.after) == (
        {"group": "Level 5 September 2026"},
        {"group": "Level 5 January 2027"},
    )
