"""The assessor's review screen: the evidence beside each mapped criterion, judged met or not yet met, then
accepted or referred back; mappings the learner missed may be added."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.http import AuthenticatedRequest
from assessments.forms import countable_choices, parse_countable
from assessments.permissions import can_review
from assessments.selectors.review import MappingForReview, open_reopenings, review_page
from assessments.services import StaleFormError
from assessments.services.judging import (
    Decision,
    add_mapping,
    decide,
    judge_again,
    remove_mapping,
    save_judgements,
)
from centres.access import access_of, change_or_403
from portfolio.models import Evidence
from portfolio.selectors.evidence import evidence_detail
from portfolio.selectors.files import file_panel
from portfolio.services import PortfolioError
from portfolio.views.evidence import visible_evidence, visible_mapping


def _reviewable(request: AuthenticatedRequest, pk: int, message: str) -> Evidence:
    return change_or_403(request, visible_evidence(request, pk), can_review, message)


@dataclass(frozen=True)
class Typed:
    """What the assessor posted, shown again when it could not be saved: nothing typed is lost."""

    decisions: dict[int, Decision]
    feedback: str
    # False when the evidence changed meanwhile: the choices shown are then the saved ones
    keep_choices: bool = True


@dataclass(frozen=True)
class JudgementRow:
    """One mapping in the form: the criterion, and the choice and feedback the form shows."""

    item: MappingForReview
    chosen: str  # "met", "not_met" or ""
    feedback: str


def _rows(items: list[MappingForReview], typed: Typed | None) -> list[JudgementRow]:
    rows = []
    for item in items:
        judgement = item.judgement
        chosen = "" if judgement is None else ("met" if judgement.met else "not_met")
        feedback = judgement.feedback if judgement else ""
        posted = typed.decisions.get(item.mapping.pk) if typed else None
        if posted is not None:
            if typed and typed.keep_choices:
                chosen = {True: "met", False: "not_met", None: ""}[posted.met]
            feedback = posted.feedback or feedback
        rows.append(JudgementRow(item=item, chosen=chosen, feedback=feedback))
    return rows


def _review_page(
    request: AuthenticatedRequest,
    evidence: Evidence,
    *,
    status: int = 200,
    error: str = "",
    typed: Typed | None = None,
) -> HttpResponse:
    evidence = evidence_detail(pk=evidence.pk)
    page = review_page(evidence=evidence)
    context = {
        "evidence": evidence,
        "error": error,
        "countables": countable_choices(evidence.enrolment),
        **vars(page),
        "all_frozen": page.all_frozen,
        # judging again on accepted evidence: only the reopened lines are in the form
        "rows": _rows([i for i in page.mappings if i.reopened] if page.rejudging else page.mappings, typed),
        "overall_feedback": (typed.feedback if typed and typed.feedback else page.feedback),
        "file_panel": file_panel(access=access_of(request), evidence=evidence),
    }
    template = "assessments/review.html#panel" if request.htmx else "assessments/review.html"
    return render(request, template, context, status=status)


def _posted(request: AuthenticatedRequest, evidence: Evidence) -> Typed:
    return Typed(
        decisions={
            mapping.pk: Decision(
                mapping_id=mapping.pk,
                met={"met": True, "not_met": False}.get(request.POST.get(f"met-{mapping.pk}", "")),
                feedback=request.POST.get(f"feedback-{mapping.pk}", ""),
            )
            for mapping in evidence.mappings.all()
        },
        feedback=request.POST.get("feedback", ""),
    )


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The assessor's screen: evidence beside each criterion, judged met or not yet met, then a decision."""
    evidence = _reviewable(request, pk, "Only the learner's assessor judges this evidence.")
    if request.method == "GET":
        return _review_page(request, evidence)
    action = request.POST.get("action", "save")
    typed = _posted(request, evidence)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _review_page(
            request, evidence, status=400, error="The form was incomplete: reload and try again.", typed=typed
        )
    if evidence.status == Evidence.Status.ACCEPTED and open_reopenings(evidence_ids=[evidence.pk]).exists():
        return _judge_again(request, evidence, version, typed)
    try:
        evidence = save_judgements(
            assessor=request.user,
            evidence=evidence,
            version=version,
            decisions=list(typed.decisions.values()),
            feedback=typed.feedback,
        )
        if action in ("accept", "refer"):
            decide(
                assessor=request.user,
                evidence=evidence,
                version=evidence.version,
                accept=action == "accept",
                feedback=typed.feedback,
            )
    except StaleFormError as error:
        kept = Typed(typed.decisions, typed.feedback, keep_choices=False)
        return _review_page(request, evidence, status=409, error=str(error), typed=kept)
    except PortfolioError as error:
        return _review_page(request, evidence, status=400, error=str(error), typed=typed)
    if action == "save":
        messages.success(request, f"Judgements on {evidence.reference} saved.")
        return (
            _review_page(request, evidence) if request.htmx else redirect("assessments:review", evidence.pk)
        )
    messages.success(
        request,
        f"{evidence.reference} {'accepted' if action == 'accept' else 'referred back'}; the learner is told.",
    )
    return redirect("assessments:caseload")


def _judge_again(
    request: AuthenticatedRequest, evidence: Evidence, version: int, typed: Typed
) -> HttpResponse:
    """Accepted evidence whose judgements the internal verifier reopened: the assessor judges those again."""
    try:
        evidence = judge_again(
            assessor=request.user,
            evidence=evidence,
            version=version,
            decisions=list(typed.decisions.values()),
        )
    except StaleFormError as error:
        kept = Typed(typed.decisions, typed.feedback, keep_choices=False)
        return _review_page(request, evidence, status=409, error=str(error), typed=kept)
    except PortfolioError as error:
        return _review_page(request, evidence, status=400, error=str(error), typed=typed)
    messages.success(request, f"{evidence.reference} judged again; the learner is told.")
    return _review_page(request, evidence) if request.htmx else redirect("assessments:review", evidence.pk)


@require_POST
def review_mapping_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    evidence = _reviewable(request, pk, "Only the learner's assessor changes this evidence's mappings.")
    try:
        criterion, range_item = parse_countable(request.POST.get("countable", ""))
        add_mapping(
            assessor=request.user,
            evidence=evidence,
            version=int(request.POST.get("version") or -1),
            criterion=criterion,
            range_item=range_item,
        )
    except StaleFormError as error:
        return _review_page(request, evidence, status=409, error=str(error))
    except PortfolioError as error:
        return _review_page(request, evidence, status=400, error=str(error))
    return _review_page(request, evidence) if request.htmx else redirect("assessments:review", evidence.pk)


@require_POST
def review_mapping_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    mapping = visible_mapping(request, pk)
    evidence = _reviewable(
        request, mapping.evidence_id, "Only the learner's assessor changes this evidence's mappings."
    )
    try:
        remove_mapping(assessor=request.user, mapping=mapping, version=int(request.POST.get("version") or -1))
    except StaleFormError as error:
        return _review_page(request, evidence, status=409, error=str(error))
    except PortfolioError as error:
        return _review_page(request, evidence, status=400, error=str(error))
    return _review_page(request, evidence) if request.htmx else redirect("assessments:review", evidence.pk)
