"""IQA rules asked in more than one place, each with one definition: overdue, and an IV's own decisions."""

import datetime

from django.urls import reverse
from django.utils import timezone

from quality.models import Action
from quality.rules import assessed_by
from quality.selectors.plans import dashboard
from tests.factories.assessments import JudgementFactory
from tests.factories.quality import ActionFactory

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def test_an_open_action_past_its_due_date_is_overdue(db):
    action = ActionFactory(due_on=YESTERDAY)
    assert action.is_overdue
    assert list(Action.objects.overdue()) == [action]


def test_a_responded_action_past_its_due_date_waits_on_the_iv_and_is_not_overdue(db):
    action = ActionFactory(due_on=YESTERDAY, status=Action.Status.RESPONDED, response="Done.")
    assert not action.is_overdue
    assert list(Action.objects.overdue()) == []


def test_the_iv_dashboard_counts_overdue_as_the_action_lists_do(db):
    open_late = ActionFactory(due_on=YESTERDAY)
    ActionFactory(sample=open_late.sample, due_on=YESTERDAY, status=Action.Status.RESPONDED, response="Done.")
    page = dashboard(user=open_late.set_by)
    assert (len(page.actions), [a.pk for a in page.overdue]) == (2, [open_late.pk])


def test_the_dashboard_page_shows_the_same_overdue_count(client, db):
    open_late = ActionFactory(due_on=YESTERDAY)
    ActionFactory(sample=open_late.sample, due_on=YESTERDAY, status=Action.Status.RESPONDED, response="Done.")
    client.force_login(open_late.set_by)
    assert "Open actions (2, 1 overdue)" in client.get(reverse("quality:dashboard")).content.decode()


def test_the_learner_and_the_assessor_made_the_decisions(db):
    judgement = JudgementFactory()
    enrolment = judgement.evidence.enrolment
    assert assessed_by(enrolment.learner_id, enrolment=enrolment)
    assert assessed_by(enrolment.assessor_id, enrolment=enrolment)
    assert not assessed_by(enrolment.internal_verifier_id, enrolment=enrolment)


def test_whoever_made_a_judgement_made_the_decision_even_after_the_assessor_changed(db):
    judgement = JudgementFactory()
    enrolment = judgement.evidence.enrolment
    former = judgement.assessor
    enrolment.assessor = enrolment.internal_verifier
    assert assessed_by(former.pk, enrolment=enrolment, judgements=enrolment.evidence.first().judgements.all())
    assert not assessed_by(former.pk, enrolment=enrolment)


def test_nobody_signed_in_made_no_decision(db):
    judgement = JudgementFactory()
    assert not assessed_by(None, enrolment=judgement.evidence.enrolment)
