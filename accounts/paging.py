"""One way every list pages: Django's Paginator, the page number read from the query string, and links that keep
the list's filters (`templates/_pagination.html` draws them).

A page costs two queries (the count and the rows) however long the list: views hand a queryset, never a list.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

PER_PAGE = 20


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: the gap between distant pages ("…")
    url: str
    current: bool


@dataclass(frozen=True)
class Paged[T]:
    """One page of a list, with what its controls need: links that keep the other query parameters."""

    page: Page[T]
    param: str
    query: QueryDict
    noun: str  # what the list holds, one of them: "learner"
    plural: str  # and many: "learners"

    def __iter__(self) -> Iterator[T]:
        return iter(self.page.object_list)

    def __len__(self) -> int:
        return len(self.page.object_list)

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def start(self) -> int:
        return self.page.start_index()

    @property
    def end(self) -> int:
        return self.page.end_index()

    @property
    def label(self) -> str:
        """Names the pages' nav for a screen reader."""
        return f"Pages of {self.plural}"

    @property
    def summary(self) -> str:
        """ "Showing 21 to 40 of 1,000 learners", with an en dash (or "3 learners" when they fit on one page)."""
        noun = self.noun if self.count == 1 else self.plural
        if self.page.paginator.num_pages <= 1:
            return f"{self.count:,} {noun}"
        return f"Showing {self.start:,}\N{EN DASH}{self.end:,} of {self.count:,} {noun}"

    def url(self, number: int) -> str:
        query = self.query.copy()
        query[self.param] = str(number)
        return f"?{query.urlencode()}"

    @property
    def here(self) -> str:
        """This page's query string, for a form whose answer shows the same page again ("" on the first)."""
        return self.url(self.page.number) if self.page.number > 1 or self.query else ""

    @property
    def previous_url(self) -> str:
        return self.url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.url(self.page.next_page_number()) if self.page.has_next() else ""

    @property
    def links(self) -> list[PageLink]:
        """The page numbers near the current one and at both ends, with gaps elided."""
        return [
            PageLink(number, self.url(number), number == self.page.number)
            if isinstance(number, int)
            else PageLink(None, "", False)
            for number in self.page.paginator.get_elided_page_range(
                self.page.number, on_each_side=1, on_ends=1
            )
        ]


def paginate[T](
    request: HttpRequest,
    items: QuerySet[Any, T] | Sequence[T],
    *,
    noun: str,
    plural: str = "",
    per_page: int | None = None,
    param: str = "page",
) -> Paged[T]:
    """The page of `items` the query string asks for (the first for a missing or unreadable number, the last for
    one past the end), keeping every other parameter (the filters) in its links."""
    query = request.GET.copy()
    number = query.pop(param, [""])[-1]
    page = Paginator(items, per_page or PER_PAGE).get_page(number)
    return Paged(page=page, param=param, query=query, noun=noun, plural=plural or f"{noun}s")
