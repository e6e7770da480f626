"""The seams with courses: required exam → course completion; exam placed in a lesson."""

import pytest
from django.test import RequestFactory

from assessments import services
from assessments.integration import required_exams
from courses.activities import activity_choices, render_activity
from courses.completion import extra_requirements
from courses.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory
from courses.models import Enrollment
from courses.services import complete_lesson, enrol

from .conftest import correct_answer


@pytest.fixture
def course(site):
    index = CourseIndexPageFactory(parent=site)
    course = CoursePageFactory(parent=index, code="MED-101", title="人民调解法与邻里纠纷调解实务")
    LessonPageFactory(parent=course)
    return course


def _pass(exam, user, django_capture_on_commit_callbacks):
    attempt, _ = services.start_attempt(exam, acting_user=user)
    for item in attempt.items.all():
        services.save_answer(attempt, item.question_id, correct_answer(item), 1, acting_user=user)
    with django_capture_on_commit_callbacks(execute=True):
        return services.submit_attempt(attempt, acting_user=user)


def test_required_exam_blocks_completion_until_passed(
    exam, course, learner, django_capture_on_commit_callbacks
):
    exam.course = course
    exam.course_required = True
    exam.save()
    enrol(learner, course, acting_user=learner)
    complete_lesson(learner, course.get_children().specific().first(), acting_user=learner)
    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert enrollment.completed_at is None
    [requirement] = extra_requirements(learner, course)
    assert not requirement.met and "EX-TEST" in requirement.label
    _pass(exam, learner, django_capture_on_commit_callbacks)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert required_exams(learner, course)[0].met


def test_exam_not_required_adds_no_requirement(exam, course, learner):
    exam.course = course
    exam.save()
    assert required_exams(learner, course) == []


def test_exam_can_be_placed_in_a_lesson(exam, learner):
    assert f"exam:{exam.pk}" in dict(activity_choices())
    request = RequestFactory().get("/")
    request.user = learner
    html = render_activity(request, f"exam:{exam.pk}")
    assert exam.title in html and f"/exams/{exam.pk}/" in html
    assert exam.title not in render_activity(request, "exam:999999")
