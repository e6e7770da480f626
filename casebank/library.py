"""The case library read: search + facets + sort + page, in a fixed number of queries.

Used by the ``/cases/`` page, the JSON API and the benchmark, so all three measure the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, F
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .filters import FACETS, CaseFilter, facet_counts, id_set
from .models import CasePage
from .search import (
    MAX_QUERY_CHARS,
    Highlight,
    highlights,
    matching_case_ids,
    query_terms,
    ranked_matches,
)

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
    # The id sets the search materialised (see ``library_facets``).
    matched_ids: list[int] | None = field(default=None, repr=False)
    candidate_ids: list[int] | None = field(default=None, repr=False)

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


def _cases_in(ids):
    """The cases of an id set, grouped by a column of their own (scenario, org unit).

    ``pk + 0`` keeps SQLite from fetching every (long) case row by primary key: it scans the
    small covering index of the grouped column instead, bounded however many ids there are.
    """
    return CasePage.objects.alias(scan_pk=F("pk") + 0).filter(scan_pk__in=ids)


def _has_facet_filters(params: QueryDict) -> bool:
    return any(params.get(name) for name in FACETS)


def _page(object_list, count: int, number) -> PaginatorPage:
    paginator = Paginator(object_list, PER_PAGE)
    paginator.count = count  # known already: no COUNT over the sorted (and grouped) query
    return paginator.get_page(number)


def search_library(params: QueryDict, *, with_facets: bool = True) -> LibraryResult:
    """One search in a fixed number of queries.

    The full-text match runs once: the matching case ids (best first, with a query) and the ids
    of the live cases passing the filters are materialised, and the results, their total and
    every facet count are computed from those id sets instead of re-running the match and the
    filters in every query.
    """
    query = (params.get("q") or "").strip()[:MAX_QUERY_CHARS]
    terms = query_terms(query)
    sort = params.get("sort") or ("relevance" if terms else "recent")
    if sort not in SORTS or (sort == "relevance" and not terms):
        sort = "relevance" if terms else "recent"
    filtered = _filtered(params)

    matched = None
    candidates = filtered
    if terms:
        ranked = ranked_matches(terms) if sort == "relevance" else matching_case_ids(terms)
        matched = [row["case_id"] for row in ranked]
        candidates = candidates.filter(pk__in=id_set(matched))
    candidates = list(candidates.order_by().values_list("pk", flat=True))

    if terms and sort == "relevance":
        # Only live cases are in the index: without facet filters there is nothing to narrow.
        shown = matched
        if _has_facet_filters(params):
            allowed = set(candidates)
            shown = [i for i in matched if i in allowed]
        page = _page(shown, len(shown), params.get("page"))
        ids = list(page.object_list)
    else:
        qs = CasePage.objects.filter(pk__in=id_set(candidates)) if terms else filtered
        qs = qs.values_list("pk", flat=True)
        if sort == "useful":
            qs = qs.alias(useful_n=Count("useful_marks")).order_by(
                "-useful_n", "-first_published_at", "-pk"
            )
        else:
            qs = qs.order_by("-first_published_at", "-pk")
        page = _page(qs, len(candidates), params.get("page"))
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
        matched_ids=matched,
        candidate_ids=candidates,
    )
    if with_facets:
        result.facets = library_facets(
            params, terms, filtered, matched_ids=matched, candidate_ids=candidates
        )
    return result


def library_facets(
    params: QueryDict,
    terms: list[str],
    filtered=None,
    *,
    matched_ids: list[int] | None = None,
    candidate_ids: list[int] | None = None,
) -> dict[str, list[dict]]:
    """Every facet's counts over the cases matching ``params`` (one query per facet).

    ``matched_ids`` (the cases containing every term) and ``candidate_ids`` (the live cases that
    pass the filters and contain every term) are the id sets ``search_library`` materialised;
    given them, no facet query re-runs the full-text match or the filters.
    """
    if filtered is None:
        filtered = _filtered(params)
    if terms and matched_ids is None:
        matched_ids = [row["case_id"] for row in matching_case_ids(terms)]
    if candidate_ids is None:
        candidates = filtered.filter(pk__in=id_set(matched_ids)) if terms else filtered
        candidate_ids = list(candidates.order_by().values_list("pk", flat=True))
    facets = {}
    for name in FACETS:
        # Without its own parameter, a facet counts over the same cases as the results.
        if name in params:
            base = _filtered(params, skip=name)
            if terms:
                base = base.filter(pk__in=id_set(matched_ids))
            facets[name] = facet_counts(name, base)
        elif not terms and connection.vendor == "postgresql":
            # PostgreSQL plans the plain filter (no match to re-run) better than 10,000 literal ids.
            facets[name] = facet_counts(name, filtered)
        else:
            ids = id_set(candidate_ids)
            facets[name] = facet_counts(name, _cases_in(ids), ids=ids)
    return facets
