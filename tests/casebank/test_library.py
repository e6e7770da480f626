"""The /cases/ page: access, facets with counts, combination with search, sorting, query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casebank.models import ScenarioType
from casebank.services import mark_useful


@pytest.fixture
def cases(make_case, laws, org):
    return {
        "leak": make_case(
            title="「三步听诊」化解漏水纠纷",
            background="人民调解委员会受理",
            scenario_type=ScenarioType.MEDIATION,
            laws=[(laws.mediation, "第17条"), (laws.civil, "第288条")],
            tags=["相邻关系"],
            origin_org_unit=org.community_a1,
        ),
        "fire": make_case(
            title="车棚议事会",
            background="楼道电动自行车，调解邻里矛盾",
            scenario_type=ScenarioType.PATROL,
            laws=[(laws.fire, "第28条")],
            tags=["消防"],
            origin_org_unit=org.community_b1,
        ),
        "gas": make_case(
            title="燃气泄漏先期处置",
            background="关阀开窗",
            scenario_type=ScenarioType.EMERGENCY,
            origin_org_unit=org.community_a2,
        ),
    }


def test_anonymous_is_sent_to_login(library, client):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_learner_sees_cases_and_facet_counts(cases, learner, client_for):
    response = client_for(learner).get("/cases/")
    assert response.status_code == 200
    html = response.content.decode()
    for case in cases.values():
        assert case.title in html
    assert "?scenario=patrol" in html
    assert response.context["result"].total == 3
    facets = response.context["result"].facets
    assert {o["value"]: o["count"] for o in facets["scenario"]} == {
        "mediation": 1,
        "patrol": 1,
        "emergency": 1,
    }


def test_search_shows_highlight(cases, learner, client_for):
    response = client_for(learner).get("/cases/", {"q": "调解"})
    html = response.content.decode()
    assert "<mark>调解</mark>" in html
    found = {c.pk for c in response.context["result"].cases}
    assert found == {cases["leak"].pk, cases["fire"].pk}
    assert cases["gas"].title not in html


def test_facets_narrow_and_combine_with_search(cases, learner, laws, org, client_for):
    client = client_for(learner)
    result = client.get("/cases/", {"q": "调解", "scenario": "patrol"}).context["result"]
    assert [c.pk for c in result.cases] == [cases["fire"].pk]
    # The scenario facet counts ignore their own selection but keep the search.
    assert {o["value"]: o["count"] for o in result.facets["scenario"]} == {
        "mediation": 1,
        "patrol": 1,
    }
    result = client.get("/cases/", {"law": laws.civil.pk}).context["result"]
    assert [c.pk for c in result.cases] == [cases["leak"].pk]
    result = client.get("/cases/", {"tag": "消防"}).context["result"]
    assert [c.pk for c in result.cases] == [cases["fire"].pk]
    # A street code covers its communities.
    result = client.get("/cases/", {"org": org.street_a.code}).context["result"]
    assert {c.pk for c in result.cases} == {cases["leak"].pk, cases["gas"].pk}
    year = cases["leak"].first_published_at.year
    result = client.get("/cases/", {"year": year, "scenario": "mediation"}).context["result"]
    assert [c.pk for c in result.cases] == [cases["leak"].pk]
    result = client.get("/cases/", {"year": year - 5}).context["result"]
    assert result.cases == []


def test_law_facet_lists_counts(cases, learner, laws, client_for):
    response = client_for(learner).get("/cases/")
    law_counts = {o["label"]: o["count"] for o in response.context["result"].facets["law"]}
    assert law_counts == {"人民调解法": 1, "民法典": 1, "消防法": 1}
    assert f"law={laws.fire.pk}" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"law": "abc"},
        {"year": "twenty"},
        {"scenario": "nonsense"},
        {"page": "999"},
        {"page": "-1"},
        {"org": "no-such-unit"},
        {"sort": "weird"},
        {"q": "！！！"},
        {"q": "调" * 3000},
    ],
)
def test_bad_parameters_answer_normally(cases, learner, client_for, params):
    response = client_for(learner).get("/cases/", params)
    assert response.status_code == 200


def test_sort_by_most_useful_and_most_recent(cases, learner, other_learner, client_for):
    mark_useful(cases["gas"], acting_user=learner)
    mark_useful(cases["gas"], acting_user=other_learner)
    mark_useful(cases["fire"], acting_user=learner)
    client = client_for(learner)
    result = client.get("/cases/", {"sort": "useful"}).context["result"]
    assert [c.pk for c in result.cases] == [cases["gas"].pk, cases["fire"].pk, cases["leak"].pk]
    assert result.cases[0].useful_n == 2
    result = client.get("/cases/", {"sort": "recent"}).context["result"]
    assert [c.pk for c in result.cases] == [cases["gas"].pk, cases["fire"].pk, cases["leak"].pk]


def _queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/cases/", params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"q": "调解"}, {"q": "调解", "scenario": "mediation"}])
def test_query_count_does_not_grow_with_cases(
    make_case, laws, learner, client_for, django_assert_max_num_queries, params
):
    client = client_for(learner)
    for i in range(2):
        make_case(title=f"调解案例{i}", laws=[(laws.mediation, "第3条")], tags=["甲"])
    client.get("/cases/", params)  # warm per-process caches (site root paths)
    small = _queries(client, params)
    for i in range(12):
        make_case(title=f"调解工作法{i}", laws=[(laws.civil, f"第{i}条")], tags=[f"标签{i}"])
    with django_assert_max_num_queries(small):
        client.get("/cases/", params)
    assert small <= 25


@pytest.mark.parametrize(
    "query", ["", "q=调解", "q=调解&scenario=mediation", "tag=消防", "q=纠纷&sort=recent"]
)
def test_facets_reuse_the_result_filter_with_the_same_counts(cases, query):
    """A facet without its own parameter counts over the result filter (built once); the counts
    are those of a filter built for the facet, as before."""
    from django.http import QueryDict

    from casebank.filters import facet_counts
    from casebank.library import FACETS, _filtered, search_library
    from casebank.search import query_terms, ranked_matches

    params = QueryDict(query)
    result = search_library(params)
    terms = query_terms((params.get("q") or "").strip())
    for name in FACETS:
        base = _filtered(params, skip=name)
        if terms:
            base = base.filter(pk__in=ranked_matches(terms).order_by().values("case_id"))
        assert result.facets[name] == facet_counts(name, base), name


def test_cached_facets_equal_fresh_ones_and_follow_a_publish(cases, make_case, learner, client_for):
    """With the site cache on (production) the facets of a search are cached; a newly published
    case shows in them at once, and paging or sorting reuses them."""
    from django.core.cache import cache
    from django.test.utils import override_settings

    client = client_for(learner)
    fresh = client.get("/cases/", {"q": "调解"}).context["result"].facets
    cache.clear()
    with override_settings(GA_SITE_CACHE_SECONDS=60):
        first = client.get("/cases/", {"q": "调解"}).context["result"].facets
        assert first == fresh
        with CaptureQueriesContext(connection) as ctx:
            again = client.get("/cases/", {"q": "调解", "sort": "recent"}).context["result"]
        assert again.facets == fresh
        assert not any("casebank_casepagetag" in q["sql"] for q in ctx.captured_queries)
        make_case(title="调解新案例", tags=["新标签"])
        tags = client.get("/cases/", {"q": "调解"}).context["result"].facets["tag"]
        assert "新标签" in [t["label"] for t in tags]
    cache.clear()
