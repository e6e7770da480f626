"""The case library read: search + facets + sort + page, in a fixed number of queries.

Used by the ``/cases/`` page, the JSON API and the benchmark, so all three measure the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .filters import FACETS, CaseFilter, facet_counts
from .models import CasePage
from .search import MAX_QUERY_CHARS, Highlight, highlights, query_terms, ranked_matches

PER_PAGE = 20
SORTS = {
    "relevance": _("Most relevant"),
    "recent": _("Most recent"),
    "useful": _("Most useful"),
}


@dataclass
class LibraryResult:
    query: str
    terms: list[str]
    sort: str
    page: PaginatorPage
    cases: list[CasePage]
    highlights: dict[int, Highlight]
    facets: dict[str, list[dict]] = field(default_factory=dict)
    selected: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.page.paginator.count


def live_cases():
    return CasePage.objects.live()


def _filtered(params: QueryDict, skip: str | None = None):
    data = params.copy()
    if skip:
        data.pop(skip, None)
    return CaseFilter(data, queryset=live_cases()).qs


def _has_facet_filters(params: QueryDict) -> bool:
    return any(params.get(name) for name in FACETS)


def search_library(params: QueryDict, *, with_facets: bool = True) -> LibraryResult:
    query = (params.get("q") or "").strip()[:MAX_QUERY_CHARS]
    terms = query_terms(query)
    sort = params.get("sort") or ("relevance" if terms else "recent")
    if sort not in SORTS or (sort == "relevance" and not terms):
        sort = "relevance" if terms else "recent"
    filtered = _filtered(params)

    if terms and sort == "relevance":
        # Only live cases are in the index: without facet filters there is nothing to narrow.
        ranked = ranked_matches(terms, candidates=filtered if _has_facet_filters(params) else None)
        page = Paginator(ranked, PER_PAGE).get_page(params.get("page"))
        ids = [row["case_id"] for row in page.object_list]
    else:
        qs = filtered
        if terms:
            qs = qs.filter(pk__in=ranked_matches(terms).order_by().values("case_id"))
        if sort == "useful":
            qs = qs.annotate(useful_n=Count("useful_marks")).order_by(
                "-useful_n", "-first_published_at", "-pk"
            )
        else:
            qs = qs.order_by("-first_published_at", "-pk")
        page = Paginator(qs.values_list("pk", flat=True), PER_PAGE).get_page(params.get("page"))
        ids = list(page.object_list)

    by_id = (
        CasePage.objects.filter(pk__in=ids)
        .select_related("origin_org_unit")
        .annotate(useful_n=Count("useful_marks"))
        .in_bulk()
    )
    cases = [by_id[i] for i in ids if i in by_id]
    result = LibraryResult(
        query=query,
        terms=terms,
        sort=sort,
        page=page,
        cases=cases,
        highlights=highlights(cases, terms),
        selected={name: params.get(name) for name in FACETS if params.get(name)},
    )
    if with_facets:
        result.facets = library_facets(params, terms, filtered)
    return result


def library_facets(params: QueryDict, terms: list[str], filtered=None) -> dict[str, list[dict]]:
    """Every facet's counts over the cases matching ``params`` (one query per facet)."""
    if filtered is None:
        filtered = _filtered(params)
    match_ids = ranked_matches(terms).order_by().values("case_id") if terms else None
    facets = {}
    for name in FACETS:
        # Without its own parameter, a facet counts over the same cases as the results.
        base = _filtered(params, skip=name) if name in params else filtered
        if match_ids is not None:
            base = base.filter(pk__in=match_ids)
        facets[name] = facet_counts(name, base)
    return facets
