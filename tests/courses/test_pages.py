from django.utils.html import format_html

from courses import activities, services
from courses.factories import CoursePageFactory, LessonPageFactory
from courses.models import Enrollment

from .conftest import lessons_of


def test_course_page_queries_do_not_grow_with_lessons_or_enrolments(
    client_for, learner, org, index, django_assert_max_num_queries
):
    from people.factories import WorkerProfileFactory

    course = CoursePageFactory(parent=index, code="EMG-101")
    for i in range(2):
        LessonPageFactory(parent=course, title=f"课{i}")
    services.enrol(learner, course, acting_user=learner)
    client = client_for(learner)
    client.get(course.url)
    with django_assert_max_num_queries(40) as small:
        client.get(course.url)
    for i in range(15):
        LessonPageFactory(parent=course, title=f"加课{i}")
    for _i in range(15):
        Enrollment.objects.create(
            user=WorkerProfileFactory(org_unit=org.grid_a1).user, course=course, source="self"
        )
    for lesson in lessons_of(course)[:5]:
        services.complete_lesson(learner, lesson, acting_user=learner)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(course.url)
    assert len(response.context["lessons"]) == 17


def test_lesson_page_queries_do_not_grow_with_lessons(
    client_for, learner, index, django_assert_max_num_queries
):
    course = CoursePageFactory(parent=index, code="EMG-102")
    first = LessonPageFactory(parent=course, title="第一课")
    LessonPageFactory(parent=course, title="第二课")
    services.enrol(learner, course, acting_user=learner)
    client = client_for(learner)
    client.get(first.url)
    with django_assert_max_num_queries(40) as small:
        client.get(first.url)
    for i in range(15):
        LessonPageFactory(parent=course, title=f"加课{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(first.url)
    assert response.context["lesson_count"] == 17


def test_activity_slot_renders_registered_kind(client_for, learner, index, monkeypatch):
    monkeypatch.setattr(activities, "_kinds", {})
    activities.register_activity_kind(
        "exam",
        label="考试",
        choices=lambda: [("7", "MED-101 结业测验")],
        render=lambda request, ref: format_html('<p class="exam-card">结业测验 #{}</p>', ref),
    )
    assert activities.activity_choices() == [("exam:7", "考试：MED-101 结业测验")]
    course = CoursePageFactory(parent=index, code="MED-109")
    lesson = LessonPageFactory(
        parent=course, body=[("activity", "exam:7"), ("activity", "simulation:GONE")]
    )
    services.enrol(learner, course, acting_user=learner)
    body = client_for(learner).get(lesson.url).content.decode()
    assert '<p class="exam-card">结业测验 #7</p>' in body
    assert "该活动暂不可用" in body


def test_key_point_block_renders(client_for, learner, index):
    course = CoursePageFactory(parent=index, code="MED-110")
    lesson = LessonPageFactory(
        parent=course,
        body=[
            (
                "key_point",
                {
                    "title": "一方拒绝不得调解",
                    "text": "当事人一方明确拒绝调解的，不得调解。",
                    "legal_basis": "人民调解法第17条",
                },
            ),
        ],
    )
    services.enrol(learner, course, acting_user=learner)
    body = client_for(learner).get(lesson.url).content.decode()
    assert "一方拒绝不得调解" in body and "人民调解法第17条" in body


def test_staff_can_open_lessons_without_enrolling(client_for, trainer, course):
    lesson = lessons_of(course)[0]
    assert client_for(trainer).get(lesson.url).status_code == 200


def test_anonymous_is_sent_to_login_from_lessons(client, course):
    lesson = lessons_of(course)[0]
    response = client.get(lesson.url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
