from decimal import Decimal

import pytest

from courses.factories import CoursePageFactory, LessonPageFactory
from courses.models import CourseIndexPage, CoursePage, Enrollment, LessonPage
from courses.services import enrol
from people.models import Post


def test_page_tree_rules():
    assert CourseIndexPage.allowed_subpage_models() == [CoursePage]
    assert CoursePage.allowed_subpage_models() == [LessonPage]
    assert LessonPage.allowed_subpage_models() == []
    assert [m._meta.label for m in CourseIndexPage.allowed_parent_page_models()] == ["lms.HomePage"]
    assert CoursePage.allowed_parent_page_models() == [CourseIndexPage]


def test_anonymous_sees_catalogue_without_my_status(client, course, advanced):
    response = client.get("/courses/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "MED-101" in body
    assert 'name="open_to_me"' not in body


def test_filters_by_tier_category_delivery_and_text(client_for, learner, index, course, advanced):
    CoursePageFactory(
        parent=index,
        code="EMG-101",
        title="社区应急先期处置",
        category="emergency",
        delivery="blended",
    )
    client = client_for(learner)
    codes = lambda r: [c.code for c in r.context["courses"]]  # noqa: E731
    assert codes(client.get("/courses/", {"tier": "T2"})) == ["MED-201"]
    assert codes(client.get("/courses/", {"category": "emergency"})) == ["EMG-101"]
    assert codes(client.get("/courses/", {"delivery": "blended"})) == ["EMG-101"]
    # Search matches words inside Chinese titles.
    assert codes(client.get("/courses/", {"q": "应急"})) == ["EMG-101"]
    assert codes(client.get("/courses/", {"q": "med-2"})) == ["MED-201"]
    # Nonsense input answers normally.
    assert client.get("/courses/", {"tier": "T9", "q": "%%" * 200}).status_code == 200


def test_post_filter_and_open_to_me(client_for, learner, index, course, advanced):
    chiefs = CoursePageFactory(
        parent=index, code="LDR-301", title="社区书记领导力", target_posts=",chief,"
    )
    client = client_for(learner)  # a grid worker with nothing completed
    codes = lambda r: sorted(c.code for c in r.context["courses"])  # noqa: E731
    assert codes(client.get("/courses/", {"post": Post.CHIEF})) == ["LDR-301", "MED-101", "MED-201"]
    # Open to me: not MED-201 (prerequisite missing), not LDR-301 (for chiefs only).
    assert codes(client.get("/courses/", {"open_to_me": "on"})) == ["MED-101"]
    assert chiefs.target_post_list == ["chief"]


def test_my_status_filter_and_card_badges(client_for, learner, course, advanced):
    enrol(learner, course, acting_user=learner)
    client = client_for(learner)
    response = client.get("/courses/", {"status": "in_progress"})
    assert [c.code for c in response.context["courses"]] == ["MED-101"]
    response = client.get("/courses/", {"status": "not_enrolled"})
    assert [c.code for c in response.context["courses"]] == ["MED-201"]
    body = client.get("/courses/").content.decode()
    assert "已报名" in body and "先修课程未完成" in body


def test_unpublished_course_is_not_listed(client_for, learner, course, advanced):
    advanced.unpublish()
    response = client_for(learner).get("/courses/")
    assert [c.code for c in response.context["courses"]] == ["MED-101"]


def _add_courses(index, n, start):
    for i in range(start, start + n):
        course = CoursePageFactory(parent=index, code=f"BULK-{i:04d}", hours=Decimal("2"))
        if i % 7 == 0:
            LessonPageFactory(parent=course)


@pytest.mark.parametrize(
    "filters", [{}, {"open_to_me": "on", "q": "课程"}, {"status": "completed"}]
)
def test_catalogue_queries_do_not_grow(
    client_for, learner, index, course, advanced, filters, django_assert_max_num_queries
):
    client = client_for(learner)
    client.get("/courses/")  # warm caches (site root, content types)
    _add_courses(index, 5, 0)
    with django_assert_max_num_queries(30) as small:
        client.get("/courses/", filters)
    _add_courses(index, 60, 100)
    for course_page in CoursePage.objects.filter(code__startswith="BULK-00")[:10]:
        Enrollment.objects.create(user=learner, course=course_page, source="self")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/courses/", filters)
    assert response.status_code == 200


def test_catalogue_with_500_courses_stays_well_under_30_queries(
    client_for, learner, index, django_assert_max_num_queries
):
    _add_courses(index, 500, 0)
    client = client_for(learner)
    client.get("/courses/")
    with django_assert_max_num_queries(20):
        response = client.get("/courses/", {"open_to_me": "on"})
    assert response.context["page_obj"].paginator.count == 500


def test_cached_cards_follow_each_viewer_and_each_edit(
    client_for, learner, other_learner, index, course
):
    """The cards are cached by what they show: my status, another viewer's, a renamed course."""
    from courses import services

    services.enrol(learner, course, acting_user=learner)
    mine = client_for(learner).get(index.url).content.decode()
    badge = '<span class="badge warn">已报名'
    assert badge in mine
    theirs = client_for(other_learner).get(index.url).content.decode()
    assert badge not in theirs
    course.title = "人民调解法（修订）"
    course.save_revision().publish()
    assert "人民调解法（修订）" in client_for(learner).get(index.url).content.decode()
