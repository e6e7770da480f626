"""search_library over materialised id sets: on a generated population its results, order, totals
and all five facet counts equal a straightforward computation, and its query count is fixed."""

import datetime as dt
import random
from collections import Counter

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page

from casebank.filters import FACETS, facet_counts
from casebank.library import _filtered, search_library
from casebank.models import (
    CaseLawReference,
    CasePage,
    CasePageTag,
    CaseSearchDocument,
    CaseSearchTerm,
    ScenarioType,
    UsefulMark,
)
from casebank.search import BODY_HIT_CAP, TITLE_WEIGHT, query_terms, ranked_matches

WORDS = ["人民调解委员会", "邻里纠纷", "独居老人", "燃气泄漏", "电动自行车", "台账", "回访"]
TAGS = ["消防", "相邻关系", "养老", "物业"]


def _make_population(make_case, laws, org, users, n, seed=11):
    rng = random.Random(seed)
    units = [org.community_a1, org.community_a2, org.community_b1, None]
    law_list = [laws.mediation, laws.fire, laws.civil]
    cases = []
    for i in range(n):
        words = rng.sample(WORDS, rng.randint(1, 3))
        case = make_case(
            title=f"「工作法{i}」{words[0]}",
            background="，".join(rng.sample(WORDS, 2)) + "。",
            scenario_type=rng.choice(list(ScenarioType.values)),
            laws=[
                (law, f"第{rng.randint(1, 50)}条")
                for law in rng.sample(law_list, rng.randint(0, 2))
            ],
            tags=rng.sample(TAGS, rng.randint(0, 2)),
            origin_org_unit=rng.choice(units),
            live=i % 7 != 6,  # some drafts, never found
        )
        cases.append(case)
    for k, case in enumerate(cases):
        when = timezone.make_aware(dt.datetime(2022 + k % 4, 1 + k % 12, 1 + k % 27))
        Page.objects.filter(pk=case.pk).update(first_published_at=when)
        CaseSearchDocument.objects.filter(case_id=case.pk).update(year=when.year)
        for user in rng.sample(users, rng.randint(0, len(users))):
            UsefulMark.objects.create(case_id=case.pk, user=user)
    return cases


@pytest.fixture
def population(make_case, laws, org, learner, other_learner):
    return _make_population(make_case, laws, org, [learner, other_learner], 21)


def _expected_facets(params, terms):
    """One straightforward count per facet (the filter built for the facet, the match inline)."""
    facets = {}
    for name in FACETS:
        base = _filtered(params, skip=name) if name in params else _filtered(params)
        if terms:
            base = base.filter(pk__in=ranked_matches(terms).order_by().values("case_id"))
        facets[name] = facet_counts(name, base)
    return facets


def _expected_ids(params, terms, sort):
    """The ordered result ids, computed in Python from plain rows."""
    ids = set(_filtered(params).values_list("pk", flat=True))
    if terms:
        rows = CaseSearchTerm.objects.filter(term__in=terms).values_list(
            "case_id", "title_hits", "body_hits"
        )
        matched, score = Counter(), Counter()
        for case_id, title_hits, body_hits in rows:
            matched[case_id] += 1
            score[case_id] += title_hits * TITLE_WEIGHT + min(body_hits, BODY_HIT_CAP)
        ids &= {c for c, n in matched.items() if n == len(terms)}
    pages = {p.pk: p for p in CasePage.objects.filter(pk__in=ids)}
    if sort == "relevance":
        return sorted(ids, key=lambda i: (score[i], i), reverse=True)
    if sort == "useful":
        marks = Counter(
            UsefulMark.objects.filter(case_id__in=ids).values_list("case_id", flat=True)
        )
        return sorted(ids, key=lambda i: (marks[i], pages[i].first_published_at, i), reverse=True)
    return sorted(ids, key=lambda i: (pages[i].first_published_at, i), reverse=True)


def _params(laws, org):
    return [
        "",
        "q=调解",
        "q=纠纷 老人",
        "q=调解&scenario=mediation",
        "q=老人&year=2023",
        "q=台账&sort=useful",
        "q=回访&sort=recent",
        "q=调解&sort=useful&tag=消防",
        f"q=纠纷&law={laws.fire.pk}",
        f"q=调解&org={org.street_a.code}&sort=recent",
        "scenario=emergency",
        f"law={laws.civil.pk}&year=2024",
        "tag=养老&sort=useful",
        "sort=useful",
        "q=！？。",
        "q=燃气泄漏&page=2",
        "q=没有这个词",
    ]


def test_results_and_facets_equal_a_straightforward_computation(population, laws, org):
    for query in _params(laws, org):
        params = QueryDict(query)
        result = search_library(params)
        terms = query_terms((params.get("q") or "").strip())
        expected = _expected_ids(params, terms, result.sort)
        assert result.total == len(expected), query
        start = (result.page.number - 1) * 20
        assert [c.pk for c in result.cases] == expected[start : start + 20], query
        assert result.facets == _expected_facets(params, terms), query
        marks = Counter(UsefulMark.objects.values_list("case_id", flat=True))
        assert [c.useful_n for c in result.cases] == [marks[c.pk] for c in result.cases]


def test_facet_counts_cover_tags_laws_and_years(population):
    """The generated population exercises every facet (not only empty lists)."""
    facets = search_library(QueryDict("")).facets
    assert all(facets[name] for name in FACETS)
    assert sum(f["count"] for f in facets["scenario"]) == len([c for c in population if c.live])
    assert CasePageTag.objects.exists() and CaseLawReference.objects.exists()


# Queries of one search: ids (match and/or filter), the page (plus its sort query when not
# ranked by relevance), the cases, their snippets and one per facet.
EXPECTED_QUERIES = {
    "": 9,
    "q=调解": 9,
    "q=调解&scenario=mediation": 9,
    "q=台账&sort=useful": 10,
    "q=回访&sort=recent": 10,
    "tag=消防&sort=useful": 9,
}


@pytest.mark.parametrize("query", list(EXPECTED_QUERIES))
def test_search_query_count_is_fixed_whatever_the_number_of_cases(
    make_case, laws, org, learner, other_learner, query
):
    users = [learner, other_learner]
    # One case every query finds, so no query is skipped for an empty page.
    make_case(title="调解台账回访", scenario_type=ScenarioType.MEDIATION, tags=["消防"])
    _make_population(make_case, laws, org, users, 3, seed=1)
    search_library(QueryDict(query))  # warm per-process caches
    with CaptureQueriesContext(connection) as small:
        search_library(QueryDict(query))
    _make_population(make_case, laws, org, users, 12, seed=2)
    with CaptureQueriesContext(connection) as large:
        search_library(QueryDict(query))
    assert len(small.captured_queries) == len(large.captured_queries) == EXPECTED_QUERIES[query]


@pytest.mark.parametrize("query", ["q=调解", "q=调解&scenario=mediation", "q=回访&sort=recent"])
def test_the_cases_page_runs_the_full_text_match_once(population, learner, client_for, query):
    client = client_for(learner)
    client.get(f"/cases/?{query}")  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/cases/?{query}").status_code == 200
    assert sum("casebank_casesearchterm" in q["sql"] for q in ctx.captured_queries) == 1
