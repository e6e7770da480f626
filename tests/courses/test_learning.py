import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from courses import completion, services
from courses.completion import Requirement
from courses.models import CpdEntry, Enrollment, LessonProgress
from courses.signals import course_completed, hours_credited

from .conftest import lessons_of


@pytest.fixture
def collected():
    events = []

    def on_completed(sender, user, course, **kwargs):
        events.append(("completed", user.pk, course.code))

    def on_hours(sender, user, entry, **kwargs):
        events.append(("hours", user.pk, entry.source, entry.hours))

    course_completed.connect(on_completed)
    hours_credited.connect(on_hours)
    yield events
    course_completed.disconnect(on_completed)
    hours_credited.disconnect(on_hours)


def test_learner_enrols_studies_and_completes_course(client_for, learner, course, collected):
    client = client_for(learner)
    # Lessons are closed before enrolment.
    first, second = lessons_of(course)
    response = client.get(first.url)
    assert response.status_code == 302 and response["Location"] == course.url

    response = client.post(f"/learn/courses/{course.pk}/enrol/", follow=True)
    assert "你已报名" in response.content.decode()
    assert Enrollment.objects.filter(user=learner, course=course, source="self").exists()

    body = client.get(first.url).content.decode()
    assert "人民调解委员会调解民间纠纷" in body and "完成本课" in body
    response = client.post(f"/learn/lessons/{first.pk}/complete/")
    assert response["Location"] == second.url
    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert enrollment.lessons_done == 1 and enrollment.completed_at is None

    response = client.post(f"/learn/lessons/{second.pk}/complete/", follow=True)
    assert "课程已完成" in response.content.decode()
    enrollment.refresh_from_db()
    first_completion = enrollment.completed_at
    assert first_completion is not None
    entry = CpdEntry.objects.get(user=learner)
    assert entry.source == "course" and entry.hours == course.hours
    assert collected == [
        ("hours", learner.pk, "course", course.hours),
        ("completed", learner.pk, "MED-101"),
    ]

    # Completing again, or re-running the check, records and credits nothing new.
    client.post(f"/learn/lessons/{second.pk}/complete/")
    assert services.refresh_completion(learner, course) is True
    enrollment.refresh_from_db()
    assert enrollment.completed_at == first_completion
    assert CpdEntry.objects.filter(user=learner).count() == 1
    assert len(collected) == 2
    assert ModelLogEntry.objects.filter(action="courses.course_completed").count() == 1


def test_resume_goes_to_last_lesson_opened(client_for, learner, course):
    services.enrol(learner, course, acting_user=learner)
    client = client_for(learner)
    first, second = lessons_of(course)
    assert client.get(f"/learn/courses/{course.pk}/resume/")["Location"] == first.url
    client.get(second.url)
    assert client.get(f"/learn/courses/{course.pk}/resume/")["Location"] == second.url
    body = client.get(course.url).content.decode()
    assert "从上次离开处继续" not in body or "继续" in body


def test_ineligible_enrolment_is_refused_with_missing_items(client_for, learner, advanced):
    client = client_for(learner)
    page = client.get(advanced.url).content.decode()
    assert "MED-101 人民调解法与邻里纠纷调解实务" in page
    assert "报名本课程" not in page
    response = client.post(f"/learn/courses/{advanced.pk}/enrol/", follow=True)
    body = response.content.decode()
    assert "MED-101 人民调解法与邻里纠纷调解实务" in body
    assert not Enrollment.objects.filter(user=learner).exists()
    with pytest.raises(services.EnrolmentRefused) as exc:
        services.enrol(learner, advanced, acting_user=learner)
    assert exc.value.items == ["MED-101 人民调解法与邻里纠纷调解实务"]


def test_eligible_after_prerequisite_completed(learner, course, advanced):
    services.enrol(learner, course, acting_user=learner)
    for lesson in lessons_of(course):
        services.complete_lesson(learner, lesson, acting_user=learner)
    assert services.enrol(learner, advanced, acting_user=learner).source == "self"


def test_forged_posts_change_nothing(client_for, learner, other_learner, course, advanced):
    client = client_for(learner)
    lesson = lessons_of(course)[0]
    # Completing a lesson of a course one is not enrolled in.
    response = client.post(f"/learn/lessons/{lesson.pk}/complete/")
    assert response.status_code == 302
    assert not LessonProgress.objects.exists()
    # Unknown or unpublished course, wrong method, anonymous.
    assert client.post("/learn/courses/999999/enrol/").status_code == 404
    advanced.unpublish()
    assert client.post(f"/learn/courses/{advanced.pk}/enrol/").status_code == 404
    assert client.get(f"/learn/courses/{course.pk}/enrol/").status_code == 405
    client.logout()
    assert client.post(f"/learn/courses/{course.pk}/enrol/").status_code == 302
    assert not Enrollment.objects.exists()
    # Enrolling someone else through the service is refused.
    with pytest.raises(services.PermissionDenied):
        services.enrol(other_learner, course, acting_user=learner)


def test_extra_requirements_hold_completion_until_met(learner, course, monkeypatch):
    state = {"met": False}

    def exam_provider(user, c):
        return [Requirement(label="结业测验 ≥ 60 分", met=state["met"])]

    monkeypatch.setattr(completion, "_providers", [exam_provider])
    services.enrol(learner, course, acting_user=learner)
    for lesson in lessons_of(course):
        services.complete_lesson(learner, lesson, acting_user=learner)
    assert Enrollment.objects.get(user=learner).completed_at is None
    state["met"] = True
    assert services.refresh_completion(learner, course) is True
    assert Enrollment.objects.get(user=learner).completed_at is not None


def test_refresh_completion_without_enrolment_does_nothing(learner, course):
    assert services.refresh_completion(learner, course) is False
    assert not CpdEntry.objects.exists()


def test_credit_hours_is_idempotent(learner, collected):
    kwargs = {
        "source": "drill",
        "source_key": "42",
        "hours": "2.5",
        "earned_on": dt.date(2026, 5, 1),
        "description": "防汛演练",
        "acting_user": None,
    }
    first = services.credit_hours(learner, **kwargs)
    again = services.credit_hours(learner, **{**kwargs, "hours": 9})
    assert first.pk == again.pk and again.hours == Decimal("2.5")
    assert CpdEntry.objects.count() == 1 and len(collected) == 1
    with pytest.raises(services.ValidationError):
        services.credit_hours(learner, **{**kwargs, "source_key": "43", "hours": 0})
    with pytest.raises(services.ValidationError):
        services.credit_hours(learner, **{**kwargs, "source_key": "44", "hours": "abc"})


def test_my_learning_shows_ledger_and_yearly_totals(client_for, learner, other_learner):
    services.credit_hours(
        learner,
        source="other",
        source_key="a",
        hours=3,
        earned_on=dt.date(2025, 3, 1),
        description="专题讲座",
        acting_user=None,
    )
    services.credit_hours(
        learner,
        source="other",
        source_key="b",
        hours=4,
        earned_on=timezone.localdate(),
        description="现场教学",
        acting_user=None,
    )
    services.credit_hours(
        other_learner,
        source="other",
        source_key="c",
        hours=8,
        earned_on=timezone.localdate(),
        description="别人的学时",
        acting_user=None,
    )
    body = client_for(learner).get("/learn/mine/").content.decode()
    assert "专题讲座" in body and "现场教学" in body and "别人的学时" not in body
    assert "2025" in body
    assert client_for(None).get("/learn/mine/").status_code == 302
