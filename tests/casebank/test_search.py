"""Chinese search: segmentation, ranking, snippets, robustness."""

import pytest
from django.http import QueryDict

from casebank.library import search_library
from casebank.search import index_tokens, query_terms


def search(q, **params):
    data = QueryDict(mutable=True)
    data["q"] = q
    for key, value in params.items():
        data[key] = value
    return search_library(data)


def test_query_words_are_segmented():
    assert query_terms("调解") == ["调解"]
    # A long query word is covered by the two-character words inside it.
    assert query_terms("人民调解") == ["人民", "调解"]
    terms = query_terms("电动自行车 楼道")
    assert "楼道" in terms and "电动" in terms


@pytest.mark.parametrize("q", ["", "   ", "！？。，、", "……——", "?!.,;"])
def test_empty_and_punctuation_queries_have_no_terms(q):
    assert query_terms(q) == []


def test_very_long_query_is_bounded():
    terms = query_terms("人民调解委员会调解邻里纠纷" * 500)
    assert 0 < len(terms) <= 8


def test_indexing_emits_words_inside_compounds():
    tokens = index_tokens("居委会设立人民调解委员会。")
    assert "调解" in tokens
    assert "委员会" in tokens
    assert "。" not in tokens


def test_word_inside_a_compound_is_found(make_case):
    case = make_case(title="邻里纠纷化解记", background="居委会依法设立人民调解委员会并开展工作。")
    other = make_case(title="楼道清理", background="清理楼道堆物。")
    result = search("调解")
    ids = [c.pk for c in result.cases]
    assert case.pk in ids
    assert other.pk not in ids


def test_word_from_the_middle_of_a_step_is_found(make_case):
    case = make_case(
        title="车棚议事会",
        background="老旧小区",
        steps=[("网格员逐楼拍照，发现楼道停放电动自行车三十七辆", "台账", "消防法第28条")],
    )
    assert [c.pk for c in search("自行车").cases] == [case.pk]
    assert [c.pk for c in search("消防法").cases] == [case.pk]


def test_title_match_ranks_above_body_matches(make_case):
    body_heavy = make_case(
        title="邻里纠纷化解", background="调解、调解、再调解，反复调解，调解员很辛苦。"
    )
    in_title = make_case(title="「三步」调解法", background="先听再查后协商。")
    result = search("调解")
    assert [c.pk for c in result.cases] == [in_title.pk, body_heavy.pk]


def test_all_query_words_must_match(make_case):
    both = make_case(title="漏水纠纷调解", background="楼上楼下")
    only_one = make_case(title="噪声纠纷调解", background="广场舞")
    result = search("漏水 调解")
    assert [c.pk for c in result.cases] == [both.pk]
    assert only_one.pk not in [c.pk for c in result.cases]


def test_snippet_highlights_the_match(make_case):
    make_case(
        title="邻里纠纷", background="这是很长的开头。" * 10 + "双方同意申请人民调解委员会调解。"
    )
    result = search("调解")
    highlight = result.highlights[result.cases[0].pk]
    assert "<mark>调解</mark>" in highlight.snippet
    assert highlight.snippet.startswith("…")


def test_highlight_escapes_html(make_case):
    make_case(title="<b>调解</b>", background="<script>x</script>调解")
    result = search("调解")
    highlight = result.highlights[result.cases[0].pk]
    assert "<script>" not in highlight.snippet
    assert "&lt;b&gt;<mark>调解</mark>" in highlight.title


def test_unpublished_cases_are_not_found(make_case):
    draft = make_case(title="调解草稿", live=False)
    live = make_case(title="调解定稿")
    assert [c.pk for c in search("调解").cases] == [live.pk]
    live.unpublish()
    assert search("调解").cases == []
    assert draft.pk  # the draft never entered the index


def test_republishing_updates_the_index(make_case):
    case = make_case(title="旧标题", background="燃气")
    case.title = "新标题 燃气泄漏处置"
    case.save_revision().publish()
    assert [c.pk for c in search("泄漏").cases] == [case.pk]
    assert search("旧标题").cases == []


@pytest.mark.parametrize("q", ["", "！？。", "调" * 5000, "'; DROP TABLE x; --", "%_\\"])
def test_odd_queries_answer_normally(make_case, q):
    make_case(title="调解")
    result = search(q)
    assert result.total >= 0
