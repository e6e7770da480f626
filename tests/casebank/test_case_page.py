"""The case page: structure, access, courses that use it (reference index), acceptance badge."""

from wagtail.test.utils import WagtailPageTestCase

from casebank.models import CaseIndexPage, CasePage


def test_case_page_shows_the_write_up(make_case, laws, learner, client_for, org):
    case = make_case(
        title="「三步听诊」化解漏水纠纷",
        method_name="三步听诊",
        background="5 楼天花板持续渗水",
        steps=[("问诊：分别倾听", "受理登记表", "人民调解法第17条"), ("回访", "", "")],
        outcome="协议 10 天内履行",
        lessons="用证据替代情绪",
        red_lines="不断水",
        laws=[(laws.mediation, "第17条")],
        tags=["相邻关系"],
        origin_org_unit=org.community_a1,
    )
    response = client_for(learner).get(case.url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "5 楼天花板持续渗水",
        "问诊：分别倾听",
        "受理登记表",
        "人民调解法第17条",
        "协议 10 天内履行",
        "不断水",
        "相邻关系",
        "中华人民共和国人民调解法",
        "柳岸街道 / 柳岸社区",
    ]:
        assert text in html
    assert f"?law={laws.mediation.pk}" in html


def test_case_page_needs_login(make_case, client):
    case = make_case()
    response = client.get(case.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_case_page_lists_pages_that_reference_it(make_case, learner, client_for, library):
    """A page elsewhere in the site that links the case shows up under 'Used in courses'."""
    case = make_case(title="被引用的案例")
    other = make_case(title="相关案例")
    # A related-case link from another case is not a course use.
    other.related_links.create(related=case)
    other.save_revision().publish()
    home = library.get_parent()
    from courses.models import CourseIndexPage  # the app that embeds cases

    catalogue = CourseIndexPage.objects.first() or home.add_child(
        instance=CourseIndexPage(title="课程", slug="courses-test")
    )
    course = _publish_course_citing(catalogue, case, slug="med-101-test", code="MED-T1")
    response = client_for(learner).get(case.url)
    used = [u["page"].pk for u in response.context["used_in"]]
    assert used == [course.pk]
    assert "矛盾调解入门" in response.content.decode()


def test_acceptance_badge(make_case, learner, client_for, reviewer):
    from casebank.services import record_acceptance

    case = make_case()
    record_acceptance(case, acting_user=reviewer)
    response = client_for(learner).get(case.url)
    assert response.context["acceptance"].review_level == "district"
    assert 'class="badge ok"' in response.content.decode()


class TestPageTree(WagtailPageTestCase):
    def test_allowed_children(self):
        self.assertAllowedSubpageTypes(CaseIndexPage, {CasePage})
        self.assertAllowedSubpageTypes(CasePage, set())
        self.assertAllowedParentPageTypes(CasePage, {CaseIndexPage})

    def test_index_lives_under_home(self):
        from django.apps import apps

        self.assertAllowedParentPageTypes(CaseIndexPage, {apps.get_model("lms", "HomePage")})


def test_unknown_case_is_404_and_a_case_routes_to_itself(make_case, client_for, learner):
    case = make_case()
    client = client_for(learner)
    assert client.get(case.get_parent().url + "no-such-case/").status_code == 404
    response = client.get(case.url)
    assert response.status_code == 200 and response.context["page"].pk == case.pk


def test_useful_count_and_my_mark(make_case, client_for, learner, other_learner):
    from casebank.services import mark_useful

    case = make_case()
    client = client_for(learner)
    context = client.get(case.url).context
    assert (context["useful_count"], context["marked_useful"]) == (0, False)
    mark_useful(case, acting_user=other_learner)
    context = client.get(case.url).context
    assert (context["useful_count"], context["marked_useful"]) == (1, False)
    mark_useful(case, acting_user=learner)
    context = client.get(case.url).context
    assert (context["useful_count"], context["marked_useful"]) == (2, True)


def test_used_in_is_cached_until_a_page_changes(make_case, library, client_for, learner):
    """With the site cache on (production), a newly published course that embeds the case shows
    at once: any page save drops the cached answer."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from courses.models import CourseIndexPage

    case = make_case()
    client = client_for(learner)
    cache.clear()
    with override_settings(GA_SITE_CACHE_SECONDS=60):
        assert client.get(case.url).context["used_in"] == []
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(case.url).context["used_in"] == []
        assert not any("wagtailcore_referenceindex" in q["sql"] for q in ctx.captured_queries)
        catalogue = library.get_parent().add_child(
            instance=CourseIndexPage(title="课程", slug="courses-cache")
        )
        course = _publish_course_citing(catalogue, case, slug="med-cache", code="MED-C1")
        used = [u["page"].pk for u in client.get(case.url).context["used_in"]]
        assert used == [course.pk]
    cache.clear()


def test_case_page_queries_do_not_grow_with_the_library(
    make_case, laws, learner, other_learner, client_for, org, django_assert_max_num_queries
):
    from casebank.services import mark_useful

    case = make_case(
        laws=[(laws.mediation, "第17条"), (laws.civil, "第288条")],
        tags=["相邻关系", "漏水"],
        origin_org_unit=org.community_a1,
    )
    client = client_for(learner)
    client.get(case.url)
    with django_assert_max_num_queries(30) as small:
        client.get(case.url)
    budget = len(small.captured_queries)  # read now: the next request resets the query log
    for i in range(8):
        other = make_case(title=f"案例{i}", tags=[f"标签{i}"], laws=[(laws.fire, f"第{i}条")])
        case.related_links.create(related=other)
    case.save_revision().publish()
    mark_useful(case, acting_user=other_learner)
    mark_useful(case, acting_user=learner)
    client.get(case.url)  # the new revision's write-up is rendered (and cached) once
    with django_assert_max_num_queries(budget + 1):  # + the related cases
        response = client.get(case.url)
    assert len(response.context["related_cases"]) == 8
    assert response.context["useful_count"] == 2


def test_cached_write_up_follows_publishing_and_never_hides_a_preview(
    make_case, client_for, learner
):
    case = make_case(background="旧的背景描述")
    client = client_for(learner)
    assert "旧的背景描述" in client.get(case.url).content.decode()
    assert "旧的背景描述" in client.get(case.url).content.decode()  # from the cache
    draft = CasePage.objects.get(pk=case.pk)
    draft.background = "预览中的新背景"
    preview = draft.make_preview_request()
    preview.render()
    assert "预览中的新背景" in preview.content.decode()
    draft.save_revision().publish()
    html = client.get(case.url).content.decode()
    assert "预览中的新背景" in html and "旧的背景描述" not in html


def _publish_course_citing(catalogue, case, *, slug, code):
    """A published course whose objectives link to ``case`` (a use the case page lists)."""
    from courses.models import CoursePage  # the app that embeds cases

    course = catalogue.add_child(
        instance=CoursePage(
            title="矛盾调解入门",
            slug=slug,
            code=code,
            category="mediation",
            hours="2",
            objectives=f'<p>阅读 <a linktype="page" id="{case.pk}">案例</a></p>',
        )
    )
    course.save_revision().publish()
    return course
