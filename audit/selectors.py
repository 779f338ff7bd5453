"""Reading the audit trail for a page: one portfolio's history, newest first, in a fixed number of queries."""

from django.core.paginator import Page, Paginator

from accounts.models import User
from audit.models import AuditEntry
from portfolio.models import Centre

HISTORY_PAGE_SIZE = 50


def history_for(*, learner: User, centre: Centre, page: int | str | None = 1) -> Page:
    """The entries of a learner's portfolio in a centre, newest first: a count and one page of rows.

    Names are read from `actor_name` (as they were at the time), so no join to users is needed.
    """
    entries = AuditEntry.objects.filter(learner=learner, centre=centre).order_by("-sequence")
    return Paginator(entries, HISTORY_PAGE_SIZE).get_page(page)
