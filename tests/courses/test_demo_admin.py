import pytest
from wagtail.models import GroupPagePermission

from courses.factories import TrainingSessionFactory
from courses.models import (
    Attendance,
    CourseIndexPage,
    CoursePage,
    CpdEntry,
    Enrollment,
    LessonPage,
    Registration,
    TrainingSession,
)
from people.factories import UserFactory
from people.roles import TRAINER


def _counts():
    return [
        m.objects.count()
        for m in (
            CoursePage,
            LessonPage,
            Enrollment,
            CpdEntry,
            TrainingSession,
            Registration,
            Attendance,
            GroupPagePermission,
        )
    ]


def _seed():
    from courses import demo
    from lms import demo as site_demo
    from people import demo as people_demo

    site_demo.seed()
    people_demo.seed()
    demo.seed()


@pytest.mark.django_db
def test_seed_demo_builds_catalogue_and_is_idempotent():
    _seed()
    first = _counts()
    assert CoursePage.objects.count() == 18
    assert all(c.get_children().live().count() >= 2 for c in CoursePage.objects.all())
    assert sum(CoursePage.objects.values_list("hours", flat=True)) == 152
    assert Enrollment.objects.filter(completed_at__isnull=False).exists()
    assert Enrollment.objects.filter(completed_at__isnull=True, lessons_done__gt=0).exists()
    assert Enrollment.objects.filter(source="assigned").exists()
    assert TrainingSession.objects.filter(kind="case_sharing", course=None).exists()
    assert Registration.objects.filter(status="waitlisted").exists()
    index = CourseIndexPage.objects.get()
    assert GroupPagePermission.objects.filter(page=index, group__name="培训师").count() == 3
    _seed()
    assert _counts() == first


def test_trainer_edits_sessions_in_admin_only_within_jurisdiction(client_for, org, trainer, course):
    mine = TrainingSessionFactory(course=course, trainer=trainer, org_unit=org.street_a)
    street_b_trainer = UserFactory(username="t-b", roles=[TRAINER], jurisdiction=org.street_b)
    client = client_for(street_b_trainer)
    listing = client.get("/admin/snippets/courses/trainingsession/")
    assert listing.status_code == 200 and mine.title not in listing.content.decode()
    edit = client.get(f"/admin/snippets/courses/trainingsession/edit/{mine.pk}/")
    assert edit.status_code == 404
    client = client_for(trainer)
    assert mine.title in client.get("/admin/snippets/courses/trainingsession/").content.decode()
    assert client.get(f"/admin/snippets/courses/trainingsession/edit/{mine.pk}/").status_code == 200


def test_learner_cannot_open_session_admin(client_for, learner):
    response = client_for(learner).get("/admin/snippets/courses/trainingsession/")
    assert response.status_code in (302, 403)


def test_trainer_can_add_course_below_catalogue(client_for, trainer, index):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    from people.roles import group_for

    perm = Permission.objects.get(
        content_type=ContentType.objects.get_for_model(Page), codename="add_page"
    )
    GroupPagePermission.objects.create(group=group_for(TRAINER), page=index, permission=perm)
    response = client_for(trainer).get(f"/admin/pages/add/courses/coursepage/{index.pk}/")
    assert response.status_code == 200
    assert "target_posts_choice" in response.content.decode()


def test_course_cannot_require_itself(admin, course):
    from wagtail.admin.panels import get_edit_handler

    from courses.models import CoursePage

    form_class = get_edit_handler(CoursePage).get_form_class()
    data = {
        "title": course.title,
        "slug": course.slug,
        "code": course.code,
        "tier": "T1",
        "category": "mediation",
        "hours": "12",
        "delivery": "online",
        "prerequisites": [course.pk],
    }
    form = form_class(data, instance=course, for_user=admin)
    assert not form.is_valid()
    assert "prerequisites" in form.errors
