import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from courses import queries, services
from courses.factories import CoursePageFactory, TrainingSessionFactory
from courses.models import Enrollment
from people.factories import UserFactory, WorkerProfileFactory
from people.models import Post
from people.roles import TRAINER

from .conftest import lessons_of


def _due():
    return timezone.localdate() + dt.timedelta(days=30)


def test_trainer_assigns_course_to_org_unit_and_learner_sees_due_date(
    client_for, trainer, learner, other_learner, org, course, site
):
    client = client_for(trainer)
    assert client.get("/learn/assign/").status_code == 200
    response = client.post(
        "/learn/assign/",
        {
            "course": course.pk,
            "org_unit": org.street_a.pk,
            "post": "",
            "due_date": _due().isoformat(),
        },
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert enrollment.source == "assigned" and enrollment.due_date == _due()
    assert not Enrollment.objects.filter(user=other_learner).exists()
    assert ModelLogEntry.objects.filter(action="courses.assigned").count() == 1
    home = client_for(learner).get("/").content.decode()
    assert "MED-101" in home and _due().isoformat() in home


def test_assignment_filtered_by_post(trainer, learner, org, course):
    chief = WorkerProfileFactory(org_unit=org.community_a1, post=Post.CHIEF).user
    result = services.assign_course(
        course, org_unit=org.street_a, post=Post.CHIEF, due_date=_due(), acting_user=trainer
    )
    assert result.created == 1
    assert list(Enrollment.objects.values_list("user_id", flat=True)) == [chief.pk]


def test_assignment_updates_open_and_keeps_completed(trainer, learner, org, course):
    services.enrol(learner, course, acting_user=learner)
    for lesson in lessons_of(course):
        services.complete_lesson(learner, lesson, acting_user=learner)
    result = services.assign_course(
        course, org_unit=org.grid_a1, due_date=_due(), acting_user=trainer
    )
    assert (result.created, result.updated, result.already_completed) == (0, 0, 1)
    assert Enrollment.objects.get(user=learner).due_date is None


def test_assignment_denied_outside_jurisdiction_and_for_other_roles(
    client_for, org, learner, hr_street_a, course
):
    street_trainer = UserFactory(username="t-a", roles=[TRAINER], jurisdiction=org.street_a)
    client = client_for(street_trainer)
    response = client.post(
        "/learn/assign/",
        {"course": course.pk, "org_unit": org.street_b.pk, "due_date": _due().isoformat()},
    )
    assert response.status_code == 200  # the form refuses a unit outside the jurisdiction
    with pytest.raises(services.PermissionDenied):
        services.assign_course(
            course, org_unit=org.street_b, due_date=_due(), acting_user=street_trainer
        )
    for user in (learner, hr_street_a):
        assert (
            client_for(user)
            .post(
                "/learn/assign/",
                {
                    "course": course.pk,
                    "org_unit": org.street_a.pk,
                    "due_date": _due().isoformat(),
                },
            )
            .status_code
            == 403
        )
    assert not Enrollment.objects.exists()


def test_past_due_date_is_refused(client_for, trainer, org, course):
    response = client_for(trainer).post(
        "/learn/assign/",
        {
            "course": course.pk,
            "org_unit": org.street_a.pk,
            "due_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200 and not Enrollment.objects.exists()


@pytest.fixture
def cohort(org, trainer, learner, other_learner, course):
    services.assign_course(course, org_unit=org.district, due_date=_due(), acting_user=trainer)
    Enrollment.objects.filter(user=other_learner).update(
        due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    return course


def test_cohort_progress_filters_and_jurisdiction(
    client_for, trainer, hr_street_b, learner, other_learner, cohort, django_assert_max_num_queries
):
    client = client_for(trainer)
    with django_assert_max_num_queries(20):
        response = client.get("/learn/cohort/")
    assert {e.user_id for e in response.context["object_list"]} == {learner.pk, other_learner.pk}
    response = client.get("/learn/cohort/", {"status": "overdue"})
    assert [e.user_id for e in response.context["object_list"]] == [other_learner.pk]
    response = client_for(hr_street_b).get("/learn/cohort/")
    assert [e.user_id for e in response.context["object_list"]] == [other_learner.pk]


def test_cohort_query_count_does_not_grow(
    client_for, trainer, org, cohort, django_assert_max_num_queries
):
    client = client_for(trainer)
    client.get("/learn/cohort/")
    with django_assert_max_num_queries(20) as ctx:
        client.get("/learn/cohort/")
    for _i in range(20):
        WorkerProfileFactory(org_unit=org.grid_a2)
    services.assign_course(cohort, org_unit=org.district, due_date=_due(), acting_user=trainer)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        client.get("/learn/cohort/")


def test_cohort_export_csv_and_xlsx(client_for, trainer, cohort):
    client = client_for(trainer)
    response = client.get("/learn/cohort/", {"export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 3 and "A0001" in sum(rows, [])
    response = client.get("/learn/cohort/", {"export": "xlsx", "status": "overdue"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 2


def test_cohort_denied_to_learners(client_for, learner, cohort):
    assert client_for(learner).get("/learn/cohort/").status_code == 403
    assert client_for(None).get("/learn/cohort/").status_code == 302


def test_query_points_are_set_based(
    learner, other_learner, trainer, org, course, index, django_assert_num_queries
):
    services.enrol(learner, course, acting_user=learner)
    for lesson in lessons_of(course):
        services.complete_lesson(learner, lesson, acting_user=learner)
    session = TrainingSessionFactory(course=course, trainer=trainer, org_unit=org.district)
    services.check_in(services.checkin_token(session), learner, acting_user=learner)
    CoursePageFactory(parent=index, code="EMG-101", category="emergency")
    ids = [learner.pk, other_learner.pk]
    today = timezone.localdate()
    with django_assert_num_queries(1):
        done = queries.completed_courses(ids)
    assert done == {learner.pk: {"MED-101": today}, other_learner.pk: {}}
    with django_assert_num_queries(1):
        hours = queries.cpd_hours(ids, today.replace(month=1, day=1), today)
    assert hours[learner.pk] == course.hours + session.hours and hours[other_learner.pk] == 0
    with django_assert_num_queries(1):
        attended = queries.attendance(ids)
    assert attended[learner.pk][0].kind == "training"
    assert attended[learner.pk][0].session_id == session.pk and attended[other_learner.pk] == []
    with django_assert_num_queries(1):
        codes = queries.course_codes_by_category()
    assert codes == {"policy": {"MED-101"}, "emergency": {"EMG-101"}}
