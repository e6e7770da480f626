"""Catalogue and course pages route to their children with one query per level; the answers are
Wagtail's (404 for an unknown or unpublished page, the specific page with its parent)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses import services
from courses.models import CoursePage, LessonPage

pytestmark = pytest.mark.django_db


def test_routes_to_the_specific_course_and_lesson(rf, course, site):
    from wagtail.models import Page

    lesson = LessonPage.objects.child_of(course).get(slug="intake")
    request = rf.get(lesson.url)
    with CaptureQueriesContext(connection) as ctx:
        page, _args, _kwargs = Page.route_for_request(request, lesson.url)
    assert type(page) is LessonPage and page.pk == lesson.pk
    assert page.get_parent().pk == course.pk  # cached on the way down
    # site, root page, its specific row, the catalogue, its specific row, course, lesson
    assert len(ctx) <= 7


def test_unknown_or_unpublished_children_are_404(client_for, learner, course):
    client = client_for(learner)
    index_url = course.get_parent().url
    assert client.get(index_url + "no-such-course/").status_code == 404
    assert client.get(course.url + "no-such-lesson/").status_code == 404
    draft = CoursePage.objects.get(pk=course.pk)
    draft.unpublish()
    assert client.get(course.url).status_code == 404


def test_lesson_of_enrolled_learner_still_renders(client_for, learner, course):
    services.enrol(learner, course, acting_user=learner)
    lesson = LessonPage.objects.child_of(course).get(slug="agreement")
    response = client_for(learner).get(lesson.url)
    assert response.status_code == 200
    assert "调解协议与回访" in response.content.decode()
