import datetime as dt
from decimal import Decimal

import pytest
from django.core import signing
from django.utils import timezone
from wagtail.models import ModelLogEntry

from courses import services
from courses.factories import TrainingSessionFactory
from courses.models import Attendance, CpdEntry, Registration
from people.factories import UserFactory
from people.roles import TRAINER


@pytest.fixture
def session(org, trainer, course):
    return TrainingSessionFactory(
        course=course,
        trainer=trainer,
        org_unit=org.street_a,
        capacity=1,
        hours=Decimal("4"),
        title="人民调解实务专题班",
    )


def _token_url(client, session):
    svg = client.get(f"/sessions/{session.pk}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert "no-store" in svg["Cache-Control"]
    return services.checkin_token(session)


def test_registration_waiting_list_and_promotion(client_for, learner, org, session):
    from people.factories import WorkerProfileFactory

    colleague = WorkerProfileFactory(org_unit=org.grid_a2).user
    client = client_for(learner)
    client.post(f"/sessions/{session.pk}/register/")
    assert Registration.objects.get(user=learner).status == "registered"
    client = client_for(colleague)
    response = client.post(f"/sessions/{session.pk}/register/", follow=True)
    assert Registration.objects.get(user=colleague).status == "waitlisted"
    assert "候补" in response.content.decode()
    client = client_for(learner)
    client.post(f"/sessions/{session.pk}/cancel/")
    assert Registration.objects.get(user=learner).status == "cancelled"
    assert Registration.objects.get(user=colleague).status == "registered"


def test_learner_outside_organising_unit_cannot_see_session(client_for, other_learner, session):
    client = client_for(other_learner)
    assert client.get(f"/sessions/{session.pk}/").status_code == 404
    assert client.post(f"/sessions/{session.pk}/register/").status_code == 404
    assert not Registration.objects.exists()
    assert session.title not in client.get("/sessions/").content.decode()


def test_qr_check_in_end_to_end_and_replay_refused(client_for, learner, trainer, session):
    trainer_client = client_for(trainer)
    assert trainer_client.get(f"/sessions/{session.pk}/qr/").status_code == 200
    token = _token_url(trainer_client, session)

    client = client_for(learner)
    page = client.get("/sessions/checkin/", {"t": token}).content.decode()
    assert session.title in page and "确认签到" in page
    response = client.post("/sessions/checkin/", {"t": token})
    assert response.status_code == 200
    attendance = Attendance.objects.get(user=learner, session=session)
    assert attendance.method == "qr"
    entry = CpdEntry.objects.get(user=learner)
    assert (entry.source, entry.source_key, entry.hours) == (
        "session",
        str(session.pk),
        Decimal("4"),
    )

    response = client.post("/sessions/checkin/", {"t": token})
    assert response.status_code == 400
    assert "已签到" in response.content.decode()
    assert Attendance.objects.count() == 1 and CpdEntry.objects.count() == 1


def test_expired_token_is_refused(client_for, learner, session, monkeypatch):
    old = timezone.now().timestamp() - services.QR_TOKEN_MAX_AGE - 5
    monkeypatch.setattr(signing.time, "time", lambda: old)
    token = services.checkin_token(session)
    monkeypatch.undo()
    response = client_for(learner).post("/sessions/checkin/", {"t": token})
    assert response.status_code == 400
    assert "已过期" in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("forge", ["garbage", "tamper", "other_session", "empty"])
def test_forged_tokens_are_refused(client_for, learner, org, trainer, course, session, forge):
    token = services.checkin_token(session)
    if forge == "garbage":
        token = "abc:def:ghi"
    elif forge == "tamper":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif forge == "other_session":
        other = TrainingSessionFactory(course=course, trainer=trainer, org_unit=org.street_a)
        pk, _sep, rest = token.partition(":")
        token = f"{other.pk}:{rest}"
    elif forge == "empty":
        token = ""
    response = client_for(learner).post("/sessions/checkin/", {"t": token})
    assert response.status_code == 400
    assert "无效" in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("when", ["future", "past"])
def test_check_in_outside_the_window_is_refused(client_for, learner, session, when):
    now = timezone.now()
    if when == "future":
        session.starts_at, session.ends_at = (
            now + dt.timedelta(hours=2),
            now + dt.timedelta(hours=5),
        )
    else:
        session.starts_at, session.ends_at = (
            now - dt.timedelta(hours=5),
            now - dt.timedelta(hours=1),
        )
    session.save()
    response = client_for(learner).post(
        "/sessions/checkin/", {"t": services.checkin_token(session)}
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_check_in_needs_login(client, session):
    response = client.post("/sessions/checkin/", {"t": services.checkin_token(session)})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_qr_screen_only_for_managing_staff(client_for, learner, hr_street_a, org, session):
    for user in (learner, hr_street_a):
        client = client_for(user)
        assert client.get(f"/sessions/{session.pk}/qr.svg").status_code == 404
        assert client.get(f"/sessions/{session.pk}/manage/").status_code == 404
    outsider = UserFactory(username="trainer-b", roles=[TRAINER], jurisdiction=org.street_b)
    assert client_for(outsider).get(f"/sessions/{session.pk}/qr.svg").status_code == 404


def test_trainer_marks_attendance_by_hand_with_reason(client_for, learner, trainer, session):
    services.register_for_session(session, learner, acting_user=learner)
    client = client_for(trainer)
    response = client.post(f"/sessions/{session.pk}/manage/", {"learner": learner.pk, "reason": ""})
    assert response.status_code == 200 and not Attendance.objects.exists()
    response = client.post(
        f"/sessions/{session.pk}/manage/",
        {"learner": learner.pk, "reason": "手机没电，现场核对身份证"},
    )
    assert response.status_code == 302
    attendance = Attendance.objects.get(user=learner)
    assert attendance.method == "manual" and attendance.marked_by == trainer
    log = ModelLogEntry.objects.get(action="courses.attendance_marked")
    assert log.user_id == trainer.pk and log.data["reason"] == "手机没电，现场核对身份证"
    assert CpdEntry.objects.get(user=learner).hours == Decimal("4")
    # Marking twice is refused by the service and credits nothing new.
    with pytest.raises(services.CoursesError):
        services.mark_attendance(session, learner, reason="again", acting_user=trainer)
    assert CpdEntry.objects.count() == 1


def test_learner_and_hr_cannot_mark_attendance(learner, hr_street_a, session):
    for user in (learner, hr_street_a):
        with pytest.raises(services.PermissionDenied):
            services.mark_attendance(session, learner, reason="x", acting_user=user)
    assert not Attendance.objects.exists()


def test_case_sharing_session_without_course_credits_hours(org, trainer, learner):
    sharing = TrainingSessionFactory(
        kind="case_sharing",
        course=None,
        trainer=trainer,
        org_unit=org.district,
        hours=Decimal("2"),
        title="社区工作法案例分享会",
    )
    services.check_in(services.checkin_token(sharing), learner, acting_user=learner)
    entry = CpdEntry.objects.get(user=learner)
    assert entry.source == "case_sharing" and entry.hours == Decimal("2")


def test_training_session_needs_a_course(org, trainer):
    from django.core.exceptions import ValidationError

    from courses.models import TrainingSession

    session = TrainingSession(
        kind="training",
        title="x",
        training_base="community",
        address="x",
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=1),
        capacity=5,
        hours=2,
        trainer=trainer,
        org_unit=org.district,
    )
    with pytest.raises(ValidationError) as exc:
        session.full_clean()
    assert "course" in exc.value.message_dict
