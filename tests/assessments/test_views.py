import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import AttemptStatus, FeedbackPolicy, Layout, MarkingState

from .conftest import correct_answer


def test_exam_list_page(exam, learner, client_for, django_assert_max_num_queries):
    client = client_for(learner)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assessments:exam_list"))
    assert response.status_code == 200
    assert "调解法测验" in response.content.decode()


def test_exam_pages_need_login(exam, client_for):
    response = client_for(None).get(reverse("assessments:exam_detail", args=[exam.pk]))
    assert response.status_code == 302


def test_start_button_opens_the_player_without_the_key(exam, learner, client_for):
    exam.layout = Layout.ONE_PER_SCREEN
    exam.save()
    client = client_for(learner)
    response = client.post(reverse("assessments:exam_start", args=[exam.pk]))
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "exam_player.js" in html and 'id="exam-config"' in html
    # No key, no explanation, no accepted answers in the page.
    for forbidden in ("满意率", "人民调解法第4条", '"correct"', "accepted"):
        assert forbidden not in html
    assert "<script>" not in html.replace('<script type="application/json"', "")
    assert " onclick=" not in html


def test_player_of_a_submitted_attempt_redirects_to_result(exam, learner, client_for):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    services.submit_attempt(attempt, acting_user=learner)
    response = client_for(learner).get(reverse("assessments:attempt_player", args=[attempt.pk]))
    assert response["Location"] == reverse("assessments:attempt_result", args=[attempt.pk])


def test_overdue_attempt_is_submitted_when_opened(exam, learner, client_for):
    attempt, _ = services.start_attempt(
        exam, acting_user=learner, now=timezone.now() - dt.timedelta(hours=3)
    )
    response = client_for(learner).get(reverse("assessments:attempt_result", args=[attempt.pk]))
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED and attempt.auto_submitted


def test_result_page_shows_feedback_by_policy(exam, learner, client_for):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    for item in attempt.items.all():
        services.save_answer(
            attempt, item.question_id, correct_answer(item), 1, acting_user=learner
        )
    services.submit_attempt(attempt, acting_user=learner)
    client = client_for(learner)
    url = reverse("assessments:attempt_result", args=[attempt.pk])
    html = client.get(url).content.decode()
    assert "人民调解法第4条" in html  # explanation shown after submission
    exam.feedback_policy = FeedbackPolicy.AFTER_CLOSE
    exam.closes_at = timezone.now() + dt.timedelta(days=1)
    exam.save()
    html = client.get(url).content.decode()
    assert "人民调解法第4条" not in html
    assert "100" in html


def test_other_learners_result_is_404(exam, learner, other_learner, client_for):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    client = client_for(other_learner)
    assert client.get(reverse("assessments:attempt_player", args=[attempt.pk])).status_code == 404
    assert client.get(reverse("assessments:attempt_result", args=[attempt.pk])).status_code == 404


@pytest.fixture
def pending_item(marked_exam, learner):
    attempt, _ = services.start_attempt(marked_exam, acting_user=learner)
    for item in attempt.items.all():
        answer = "需要书面协议并告知司法确认" if item.snapshot["type"] == "short_answer" else None
        services.save_answer(attempt, item.question_id, answer, 1, acting_user=learner)
    services.submit_attempt(attempt, acting_user=learner)
    return attempt.items.get(marking_state=MarkingState.PENDING)


def test_marking_queue_is_blind_for_trainer(
    pending_item, other_learner, trainer, client_for, django_assert_max_num_queries
):
    exam = pending_item.attempt.exam
    attempt, _ = services.start_attempt(exam, acting_user=other_learner)
    for item in attempt.items.all():
        if item.snapshot["type"] == "short_answer":
            services.save_answer(
                attempt, item.question_id, "另一份答卷", 1, acting_user=other_learner
            )
    services.submit_attempt(attempt, acting_user=other_learner)
    client = client_for(trainer)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("assessments:marking_queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert len(re.findall(r'href="/exams/marking/\d+/"', html)) == 2
    assert "EX-MARK" in html and "陈思远" not in html and "林雨萱" not in html
    page = client.get(reverse("assessments:mark_item", args=[pending_item.pk])).content.decode()
    assert "需要书面协议并告知司法确认" in page
    assert "陈思远" not in page
    assert "依法依规" in page and "依据准确、完整" in page


def test_marking_shows_name_when_not_blind(pending_item, trainer, client_for):
    exam = pending_item.attempt.exam
    exam.blind_marking = False
    exam.save()
    html = client_for(trainer).get(reverse("assessments:marking_queue")).content.decode()
    assert "陈思远" in html


def test_trainer_marks_through_the_form(pending_item, trainer, client_for):
    client = client_for(trainer)
    url = reverse("assessments:mark_item", args=[pending_item.pk])
    bad = client.post(url, {"criterion-0": "2"})
    assert bad.status_code == 200 and not pending_item.marks.exists()
    response = client.post(url, {"criterion-0": "2", "criterion-1": "2", "comment": "很好"})
    assert response.status_code == 302
    pending_item.refresh_from_db()
    assert pending_item.marking_state == MarkingState.DONE
    assert pending_item.attempt.__class__.objects.get(pk=pending_item.attempt_id).status == "graded"


def test_marking_denied_to_learners_and_outside_jurisdiction(
    pending_item, learner, other_learner, hr_street_b, org, client_for
):
    from people.factories import UserFactory
    from people.roles import TRAINER

    outsider = UserFactory(username="trainer-b", roles=[TRAINER], jurisdiction=org.street_b)
    for user in (learner, other_learner, hr_street_b):
        client = client_for(user)
        assert client.get(reverse("assessments:marking_queue")).status_code == 404
        assert (
            client.get(reverse("assessments:mark_item", args=[pending_item.pk])).status_code == 404
        )
    client = client_for(outsider)
    assert "EX-MARK" not in client.get(reverse("assessments:marking_queue")).content.decode()
    assert client.get(reverse("assessments:mark_item", args=[pending_item.pk])).status_code == 404


def test_statistics_page_for_trainers_only(exam, learner, trainer, client_for):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    services.submit_attempt(attempt, acting_user=learner)
    client = client_for(trainer)
    url = reverse("assessments:exam_statistics", args=[exam.pk])
    assert client.post(url).status_code == 302
    html = client.get(url).content.decode()
    assert "<svg" in html and "T-SINGLE" in html
    assert client.get(reverse("assessments:statistics_index")).status_code == 200
    assert client_for(learner).get(url).status_code == 404


def test_marker_comment_reaches_the_learner(pending_item, learner, trainer, client_for):
    client = client_for(trainer)
    client.post(
        reverse("assessments:mark_item", args=[pending_item.pk]),
        {"criterion-0": "1", "criterion-1": "1", "comment": "要写明司法确认的期限"},
    )
    html = (
        client_for(learner)
        .get(reverse("assessments:attempt_result", args=[pending_item.attempt_id]))
        .content.decode()
    )
    assert "要写明司法确认的期限" in html
