"""The caseload, review screen, observation, sign-off and reopen pages: who may use them, what they do, cost."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.models import Judgement, SignOff
from assessments.services.judging import Decision, decide, save_judgements
from assessments.services.observations import record_observation
from assessments.services.signatures import sign_off
from centres.models import Membership
from portfolio.models import Evidence
from portfolio.services.evidence import submit_evidence
from tests.factories import (
    DEFAULT_PASSWORD,
    ROLES,
    EnrolmentFactory,
    create_specification,
    lines_of,
    member,
    people_around,
    submitted_evidence,
)
from tests.tampering import behind_the_triggers
from units.models import Criterion

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def enrolment(unit, standard):
    return EnrolmentFactory(specifications=[unit, standard])


@pytest.fixture
def evidence(enrolment, standard):
    targets = [(Criterion.objects.get(specification=standard, ref=ref), None) for ref in ("P6", "P7", "K14")]
    return submitted_evidence(enrolment, targets)


def judgement_form(evidence: Evidence, verdicts: dict[str, str], action: str, feedback: str = "") -> dict:
    data = {"version": evidence.version, "action": action, "feedback": feedback}
    for mapping in evidence.mappings.select_related("criterion"):
        data[f"met-{mapping.pk}"] = verdicts.get(mapping.criterion.ref, "")
        data[f"feedback-{mapping.pk}"] = (
            "Expand on this." if verdicts.get(mapping.criterion.ref) == "not_met" else ""
        )
    return data


def test_caseload_lists_the_oldest_submission_first(client, enrolment, standard):
    first = submitted_evidence(enrolment, [(Criterion.objects.get(specification=standard, ref="P1"), None)])
    second = submitted_evidence(enrolment, [(Criterion.objects.get(specification=standard, ref="P2"), None)])
    client.force_login(enrolment.assessor)
    response = client.get(reverse("assessments:caseload"))
    assert [e.pk for e in response.context["awaiting"]] == [first.pk, second.pk]
    assert "Evidence awaiting review (2)" in response.content.decode()


def test_assessor_judges_and_refers_back_through_the_review_screen(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    data = judgement_form(evidence, {"P6": "met", "P7": "met", "K14": "not_met"}, "refer", "See K14.")
    response = client.post(reverse("assessments:review", args=[evidence.pk]), data)
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.status == Evidence.Status.REFERRED
    assert sorted(Judgement.objects.values_list("mapping__criterion__ref", "met")) == [
        ("K14", False),
        ("P6", True),
        ("P7", True),
    ]


def test_learner_sees_the_feedback_on_their_evidence_page(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    client.post(
        reverse("assessments:review", args=[evidence.pk]),
        judgement_form(evidence, {"P6": "met", "P7": "met", "K14": "not_met"}, "refer", "See K14."),
    )
    client.force_login(enrolment.learner)
    page = client.get(reverse("portfolio:evidence_detail", args=[evidence.pk])).content.decode()
    assert "Round 1: Referred back" in page
    assert "See K14." in page
    assert "K14</strong>: not yet met: Expand on this." in page


def test_a_stale_review_form_is_refused_with_409_and_the_current_state(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    url = reverse("assessments:review", args=[evidence.pk])
    stale = judgement_form(evidence, {"P6": "not_met"}, "save")
    client.post(url, judgement_form(evidence, {"P6": "met"}, "save"))

    response = client.post(url, stale, **HTMX)

    assert response.status_code == 409
    page = response.content.decode()
    assert "was changed by someone else while you had it open" in page
    assert 'value="met" checked' in page
    assert list(Judgement.objects.values_list("met", flat=True)) == [True]


def test_a_decision_posted_twice_is_refused_the_second_time(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    url = reverse("assessments:review", args=[evidence.pk])
    data = judgement_form(evidence, {"P6": "met", "P7": "met", "K14": "met"}, "accept")
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 409
    assert evidence.reviews.count() == 1


def test_save_with_htmx_redraws_the_panel_in_place(client, enrolment, evidence):
    client.force_login(enrolment.assessor)
    response = client.post(
        reverse("assessments:review", args=[evidence.pk]),
        judgement_form(evidence, {"P6": "met"}, "save"),
        **HTMX,
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="review-panel"')
    assert "Judgements on E1 saved." in page


def test_assessor_records_an_observation_through_the_form(client, enrolment, unit):
    client.force_login(enrolment.assessor)
    criterion = Criterion.objects.get(specification=unit, ref="3.1")
    response = client.post(
        reverse("assessments:observation_create", args=[enrolment.pk]),
        {
            "title": "Observed team training plan review",
            "date": "2026-10-03",
            "setting": "Riverside",
            "observed": "Led the review.",
            "criteria": [str(criterion.pk)],
        },
    )
    observation = Evidence.objects.get(method__code="OBS")
    assert response.status_code == 302
    assert (observation.status, observation.recorded_by) == ("accepted", enrolment.assessor)


def test_learner_signs_with_the_password_on_the_matrix_page(client, enrolment, unit):
    record_observation(
        assessor=enrolment.assessor, enrolment=enrolment, date="2026-10-01", setting="x", observed="x",
        title="Observation", targets=lines_of(unit),
    )  # fmt: skip
    client.force_login(enrolment.learner)
    response = client.post(
        reverse("assessments:sign", args=[enrolment.pk, unit.pk]), {"password": DEFAULT_PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert "Signed: Candidate: submitted to assessor as complete" in page
    assert SignOff.objects.get().name_printed == enrolment.learner.full_name


def test_a_wrong_password_at_signing_says_so(client, enrolment, unit):
    client.force_login(enrolment.learner)
    response = client.post(
        reverse("assessments:sign", args=[enrolment.pk, unit.pk]), {"password": "x"}, follow=True
    )
    assert "That password is not right: your signature was not recorded." in response.content.decode()
    assert not SignOff.objects.exists()


def test_matrix_shows_met_and_why_not(client, enrolment, unit):
    criterion = Criterion.objects.get(specification=unit, ref="3.4")
    record_observation(
        assessor=enrolment.assessor, enrolment=enrolment, date="2026-10-01", setting="x", observed="x",
        title="Observation", targets=[(criterion, None)],
    )  # fmt: skip
    client.force_login(enrolment.learner)
    page = client.get(reverse("assessments:criterion_matrix", args=[enrolment.pk, unit.pk])).content.decode()
    assert '<strong class="met-yes">Met</strong> <span class="meta">(E1)</span>' in page
    assert "1 of 30 met</strong> (3%)" in page
    assert page.count('<span class="met-no">Not yet met</span>') == 29


def test_verify_signatures_command_passes_then_names_a_tampered_signature(enrolment, unit):
    observation = record_observation(
        assessor=enrolment.assessor, enrolment=enrolment, date="2026-10-01", setting="x", observed="x",
        title="Observation", targets=lines_of(unit),
    )  # fmt: skip
    sign_off(user=enrolment.learner, enrolment=enrolment, specification=unit, password=DEFAULT_PASSWORD)
    out = StringIO()
    call_command("verify_signatures", stdout=out)
    assert out.getvalue() == (
        "1 signature(s), 0 void(s) and 0 IV decision(s) verified with the key set and the audit trail; "
        "audit trail intact\n"
    )

    behind_the_triggers(
        "UPDATE assessments_judgement SET met = false WHERE evidence_id = %s", [observation.pk]
    )
    err = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_signatures", stdout=StringIO(), stderr=err)
    assert "L/652/0848 learner signature" in err.getvalue()


# Who may use each page.
PAGES = {
    "review screen": ("get", lambda w: reverse("assessments:review", args=[w["evidence"].pk])),
    "judge": ("post", lambda w: reverse("assessments:review", args=[w["evidence"].pk])),
    "observation form": (
        "get",
        lambda w: reverse("assessments:observation_create", args=[w["enrolment"].pk]),
    ),
    "reopen": ("post", lambda w: reverse("assessments:reopen", args=[w["enrolment"].pk, w["unit"].pk])),
}
ANSWERS = {
    "review screen": {
        "learner": 403,
        "other learner": 404,
        "assessor": 200,
        "other assessor": 404,
        "internal verifier": 403,
        "centre admin": 403,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "judge": {
        "learner": 403,
        "other learner": 404,
        "assessor": 409,
        "other assessor": 404,
        "internal verifier": 403,
        "centre admin": 403,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "observation form": {
        "learner": 403,
        "other learner": 404,
        "assessor": 200,
        "other assessor": 404,
        "internal verifier": 403,
        "centre admin": 403,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
    "reopen": {
        "learner": 403,
        "other learner": 404,
        "assessor": 302,
        "other assessor": 404,
        "internal verifier": 403,
        "centre admin": 403,
        "eqa": 403,
        "other centre admin": 404,
        "anonymous": 302,
    },
}
assert all(set(answers) == set(ROLES) for answers in ANSWERS.values()), "a page leaves a role out"


@pytest.mark.parametrize(
    ("page", "role", "expected"),
    [
        pytest.param(page, role, expected, id=f"{page}-{role}")
        for page, answers in ANSWERS.items()
        for role, expected in answers.items()
    ],
)
def test_assessment_page_answers_each_role(client, enrolment, evidence, unit, page, role, expected):
    people = people_around(enrolment)
    if people[role] is not None:
        client.force_login(people[role])
    method, url = PAGES[page]
    response = getattr(client, method)(
        url({"evidence": evidence, "enrolment": enrolment, "unit": unit}), {"version": -1}
    )
    assert response.status_code == expected


SIGN = {
    "learner": 302,
    "other learner": 404,
    "assessor": 302,
    "other assessor": 404,
    "internal verifier": 403,
    "centre admin": 403,
    "eqa": 403,
    "other centre admin": 404,
    "anonymous": 302,
}
assert set(SIGN) == set(ROLES), "signing leaves a role out"


def test_only_the_learner_and_assessor_may_sign(client, enrolment, unit):
    for role, expected in SIGN.items():
        person = people_around(enrolment)[role] if role != "anonymous" else None
        client.logout()
        if person is not None:
            client.force_login(person)
        url = reverse("assessments:sign", args=[enrolment.pk, unit.pk])
        assert client.post(url, {"password": "x"}).status_code == expected, role


@pytest.mark.parametrize("learners", [2, 40])
def test_caseload_costs_the_same_queries_for_2_or_40_learners(
    client, db, django_assert_num_queries, learners, monkeypatch
):
    monkeypatch.setattr("accounts.paging.PER_PAGE", 5)  # 40 learners fill eight pages of each list
    specification = create_specification(groups=2, criteria_per_group=3)
    first = EnrolmentFactory(specifications=[specification])
    targets = lines_of(specification)[:2]
    referred_twice(submitted_evidence(first, targets[:1]))  # awaiting review again, after two referrals
    refer_back(submitted_evidence(first, targets[1:]))  # referred back
    ready = EnrolmentFactory(centre=first.centre, assessor=first.assessor, specifications=[specification])
    record_observation(
        assessor=ready.assessor, enrolment=ready, date="2026-10-01", setting="Riverside", observed="Led it.",
        title="Observation", targets=lines_of(specification),
    )  # fmt: skip
    for _ in range(learners - 2):
        submitted_evidence(
            EnrolmentFactory(centre=first.centre, assessor=first.assessor, specifications=[specification]),
            targets,
        )
    client.force_login(first.assessor)
    # session, user, the session's second-factor device, roles; learners: count, the page of enrolments with
    # people, their specifications with the stored progress; counts of evidence awaiting review, referred back
    # and units ready for sign-off (from the stored progress, less those signed); unread count; the pages of
    # evidence awaiting review and referred back with method and learner, and of units ready for sign-off
    with django_assert_num_queries(14):
        response = client.get(reverse("assessments:caseload"))
    assert (len(response.context["progress"]), response.context["learners"].count) == (
        min(learners, 5),
        learners,
    )
    assert (response.context["referred"].count, response.context["ready"].count) == (1, 1)


def test_caseload_pages_its_learners_keeping_the_filters(client, db, monkeypatch):
    monkeypatch.setattr("accounts.paging.PER_PAGE", 2)
    first = EnrolmentFactory()
    for name in ("Xanthe Able", "Xanthe Baker", "Xanthe Carter", "Bob Dunn"):
        learner = member(first.centre, Membership.Role.LEARNER, full_name=name)
        EnrolmentFactory(centre=first.centre, assessor=first.assessor, learner=learner)
    client.force_login(first.assessor)

    response = client.get(reverse("assessments:caseload"), {"q": "xanthe", "page": "2"})

    assert [row.enrolment.learner.full_name for row in response.context["progress"]] == ["Xanthe Carter"]
    page = response.content.decode()
    assert "Showing 3–3 of 3 learners" in page
    assert '<a href="?q=xanthe&amp;page=1" rel="prev">' in page
    assert '<a href="?q=xanthe&amp;page=2" aria-current="page">' in page


def refer_back(evidence: Evidence) -> Evidence:
    """Every mapping judged not yet met, and the evidence referred back to the learner."""
    evidence.refresh_from_db()
    decisions = [Decision(mapping.pk, False, "Say more.") for mapping in evidence.mappings.all()]
    evidence = save_judgements(
        assessor=evidence.enrolment.assessor, evidence=evidence, version=evidence.version, decisions=decisions
    )
    decide(
        assessor=evidence.enrolment.assessor, evidence=evidence, version=evidence.version, accept=False,
        feedback="See each criterion.",
    )  # fmt: skip
    return evidence


def referred_twice(evidence: Evidence) -> Evidence:
    """Two rounds judged not yet met and referred back, then resubmitted: the review screen's earlier rounds."""
    for _ in range(2):
        evidence = submit_evidence(user=evidence.learner, evidence=refer_back(evidence), declaration=True)
    return evidence


@pytest.mark.parametrize("criteria", [1, 40])
def test_review_screen_costs_the_same_queries_for_1_or_40_criteria_with_2_earlier_rounds(
    client, enrolment, standard, django_assert_num_queries, criteria
):
    targets = [
        (c, None) for c in Criterion.objects.filter(specification=standard).order_by("position")[:criteria]
    ]
    evidence = referred_twice(submitted_evidence(enrolment, targets))
    client.force_login(enrolment.assessor)
    # session, user, the session's second-factor device, evidence with its people and mappings (the permission check), the same again (the page), the
    # enrolment's criteria and range items (countable lines), earlier reviews, mappings for review, their range
    # items, indicative content, group guidance, whole-specification guidance, judgements, sign-offs in force,
    # the overall feedback saved so far, files, roles, unread count, the learner (breadcrumb)
    with django_assert_num_queries(22):
        response = client.get(reverse("assessments:review", args=[evidence.pk]))
    assert len(response.context["mappings"]) == criteria
    assert [len(judgements) for _, judgements in response.context["history"]] == [criteria, criteria]


def test_caseload_links_to_the_assessors_iqa_feedback_and_actions(client, enrolment):
    client.force_login(enrolment.assessor)
    page = client.get(reverse("assessments:caseload")).content.decode()
    assert f'href="{reverse("quality:my_iqa")}"' in page


def test_a_learner_who_opens_the_caseload_is_refused_with_a_clear_page(client, enrolment):
    client.force_login(enrolment.learner)

    response = client.get(reverse("assessments:caseload"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Not allowed</h1>" in page
    assert "The caseload is for assessors" in page


@pytest.mark.parametrize("enrolments", [2, 25])
def test_an_administrators_home_costs_the_same_queries_for_2_or_25_enrolments(
    client, db, django_assert_num_queries, enrolments, monkeypatch
):
    monkeypatch.setattr("accounts.paging.PER_PAGE", 5)  # 25 enrolments are five pages
    specification = create_specification(groups=2, criteria_per_group=3)
    first = EnrolmentFactory(specifications=[specification])
    for _ in range(enrolments):
        later = EnrolmentFactory(centre=first.centre, assessor=first.assessor, specifications=[specification])
        submitted_evidence(later, lines_of(specification)[:2])
    client.force_login(member(first.centre, Membership.Role.ADMIN))
    # session, user, the session's second-factor device, the assessors (filter choices), the others' count, own
    # enrolments (none, so nothing prefetched), the others' page with people, their specifications with the
    # stored progress, unread count, roles
    with django_assert_num_queries(10):
        response = client.get(reverse("assessments:home"), {"page": "2"})
    # the second page, or the only one
    assert (len(response.context["others"]), response.context["paged"].count) == (
        min(5, enrolments + 1),
        enrolments + 1,
    )


def test_home_filters_the_portfolios_looked_after_by_assessor(client, db):
    first = EnrolmentFactory()
    other = EnrolmentFactory(centre=first.centre)
    client.force_login(member(first.centre, Membership.Role.ADMIN))

    response = client.get(reverse("assessments:home"), {"assessor": other.assessor.pk})

    assert [card.enrolment.pk for card in response.context["others"]] == [other.pk]
    assert f'<option value="{other.assessor.pk}" selected>' in response.content.decode()


def test_home_filters_the_portfolios_looked_after_by_their_stored_progress(client, db):
    specification = create_specification(groups=1, criteria_per_group=2)
    nothing = EnrolmentFactory(specifications=[specification])
    under_way = EnrolmentFactory(centre=nothing.centre, specifications=[specification])
    submitted_evidence(under_way, lines_of(specification)[:1])
    everything = EnrolmentFactory(centre=nothing.centre, specifications=[specification])
    record_observation(
        assessor=everything.assessor, enrolment=everything, date="2026-10-01", setting="Riverside",
        observed="Led the handover.", title="Observation", targets=lines_of(specification),
    )  # fmt: skip
    client.force_login(member(nothing.centre, Membership.Role.ADMIN))
    url = reverse("assessments:home")

    shown = {
        progress: [card.enrolment.pk for card in client.get(url, {"progress": progress}).context["others"]]
        for progress in ("none", "under_way", "met")
    }

    assert shown == {"none": [nothing.pk], "under_way": [under_way.pk], "met": [everything.pk]}
