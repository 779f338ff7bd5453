"""Reading the audit trail for a page: one portfolio's history, newest first, in a fixed number of queries."""

from django.core.paginator import Page, Paginator

from audit.models import AuditEntry

HISTORY_PAGE_SIZE = 50


def history_for(*, learner_id: int, centre_id: int, page: int | str | None = 1) -> Page:
    """The entries of a learner's portfolio in a centre, newest first: a count and one page of rows.

    Names are read from `actor_name` (as they were at the time), so no join to users is needed.
    """
    entries = AuditEntry.objects.filter(learner_id=learner_id, centre_id=centre_id).order_by("-sequence")
    return Paginator(entries, HISTORY_PAGE_SIZE).get_page(page)
