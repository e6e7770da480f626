import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from assessments import services
from assessments.factories import ExamFactory, QuestionFactory
from assessments.models import AttemptQuestion, FeedbackPolicy, QuestionType

from .conftest import correct_answer


@pytest.fixture
def api_for():
    def _client(user, csrf=False):
        client = APIClient(enforce_csrf_checks=csrf)
        if user is not None:
            client.force_authenticate(user) if not csrf else client.force_login(user)
        return client

    return _client


def _answer_url(attempt_id, question_id):
    return reverse("api-attempt-answer", args=[attempt_id, question_id])


def test_exam_list_shows_attempts_used_left_and_best(
    exam, learner, api_for, django_assert_max_num_queries
):
    exam.max_attempts = 3
    exam.save()
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    for item in attempt.items.all():
        services.save_answer(
            attempt, item.question_id, correct_answer(item), 1, acting_user=learner
        )
    services.submit_attempt(attempt, acting_user=learner)
    for i in range(5):
        ExamFactory(code=f"EX-LIST-{i}", questions=[QuestionFactory(code=f"L-{i}")])
    client = api_for(learner)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("api-exams"))
    assert response.status_code == 200
    rows = {r["code"]: r for r in response.json()}
    assert len(rows) == 6
    row = rows["EX-TEST"]
    assert row["attempts_used"] == 1 and row["attempts_left"] == 2
    assert row["best_result"] == {"score": "100.00", "passed": True}
    assert rows["EX-LIST-0"]["attempts_left"] is None


def test_closed_and_inactive_exams_are_not_listed(exam, learner, api_for):
    exam.closes_at = timezone.now() - dt.timedelta(minutes=1)
    exam.opens_at = timezone.now() - dt.timedelta(days=1)
    exam.save()
    ExamFactory(code="EX-OFF", is_active=False)
    assert api_for(learner).get(reverse("api-exams")).json() == []


def test_anonymous_is_refused(exam, api_for):
    assert api_for(None).get(reverse("api-exams")).status_code in (401, 403)


def test_start_then_resume(exam, learner, api_for):
    client = api_for(learner)
    url = reverse("api-exam-attempts", args=[exam.pk])
    first = client.post(url)
    second = client.post(url)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert 0 < first.json()["seconds_remaining"] <= 30 * 60


def test_start_refused_with_clear_message_when_closed(exam, learner, api_for):
    exam.opens_at = timezone.now() + dt.timedelta(days=1)
    exam.save()
    response = api_for(learner).post(reverse("api-exam-attempts", args=[exam.pk]))
    assert response.status_code == 409
    assert response.json()["code"] == "exam_not_open"
    assert response.json()["detail"]


def test_attempt_detail_never_carries_the_key(exam, learner, api_for):
    exam.feedback_policy = FeedbackPolicy.AFTER_SUBMIT
    exam.save()
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    body = api_for(learner).get(reverse("api-attempt", args=[attempt.pk])).content.decode()
    data = json.loads(body)
    assert len(data["questions"]) == 4
    for forbidden in ('"correct"', "accepted", "满意率", "explanation", "人民调解法第4条"):
        assert forbidden not in body
    assert data["result"] is None


def test_save_answer_and_read_it_back(exam, learner, api_for):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    item = attempt.items.get(question__qtype=QuestionType.MULTIPLE)
    client = api_for(learner)
    chosen = item.option_order[:2]
    response = client.put(
        _answer_url(attempt.pk, item.question_id), {"answer": chosen, "seq": 1}, format="json"
    )
    assert response.status_code == 200 and response.json()["seq"] == 1
    detail = client.get(reverse("api-attempt", args=[attempt.pk])).json()
    saved = next(q for q in detail["questions"] if q["id"] == item.question_id)
    assert saved["answer"] == sorted(chosen) and saved["seq"] == 1


def test_stale_seq_answers_409_and_keeps_newer(exam, learner, api_for):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    item = attempt.items.get(question__qtype=QuestionType.FILL_BLANK)
    client = api_for(learner)
    url = _answer_url(attempt.pk, item.question_id)
    assert client.put(url, {"answer": "新", "seq": 5}, format="json").status_code == 200
    response = client.put(url, {"answer": "旧", "seq": 4}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "stale_seq"
    assert response.json()["current_seq"] == 5 and response.json()["answer"] == "新"
    item.refresh_from_db()
    assert item.answer == "新"


def test_write_past_deadline_answers_409(exam, learner, api_for):
    attempt, _ = services.start_attempt(
        exam, acting_user=learner, now=timezone.now() - dt.timedelta(hours=1)
    )
    item = attempt.items.first()
    response = api_for(learner).put(
        _answer_url(attempt.pk, item.question_id), {"answer": None, "seq": 1}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "deadline_passed"


@pytest.mark.parametrize(
    "payload",
    [
        {"answer": "not-an-option", "seq": 1},
        {"answer": 1},
        {"seq": 1},
        {"answer": 1, "seq": 0},
        {"answer": 1, "seq": "abc"},
        [1, 2],
    ],
)
def test_malformed_answers_answer_400_and_change_nothing(exam, learner, api_for, payload):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    item = attempt.items.get(question__qtype=QuestionType.SINGLE)
    response = api_for(learner).put(
        _answer_url(attempt.pk, item.question_id), payload, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    item.refresh_from_db()
    assert item.answer is None and item.seq == 0


def test_invalid_json_answers_400(exam, learner, api_for):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    item = attempt.items.first()
    response = api_for(learner).put(
        _answer_url(attempt.pk, item.question_id), "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_huge_payload_is_refused(exam, learner, api_for):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    item = attempt.items.get(question__qtype=QuestionType.FILL_BLANK)
    response = api_for(learner).put(
        _answer_url(attempt.pk, item.question_id),
        {"answer": "长" * 100_000, "seq": 1},
        format="json",
    )
    assert response.status_code == 413
    item.refresh_from_db()
    assert item.answer is None


def test_unknown_question_and_question_outside_attempt_answer_404(exam, learner, api_for):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    outside = QuestionFactory(code="NOT-IN")
    client = api_for(learner)
    for qid in (outside.pk, 99999999):
        response = client.put(_answer_url(attempt.pk, qid), {"answer": 1, "seq": 1}, format="json")
        assert response.status_code == 404
        assert response.json()["detail"]


def test_other_learners_attempt_is_404_everywhere(exam, learner, other_learner, api_for):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    item = attempt.items.first()
    client = api_for(other_learner)
    assert client.get(reverse("api-attempt", args=[attempt.pk])).status_code == 404
    put = client.put(
        _answer_url(attempt.pk, item.question_id), {"answer": None, "seq": 1}, format="json"
    )
    assert put.status_code == 404
    assert client.post(reverse("api-attempt-submit", args=[attempt.pk])).status_code == 404
    assert AttemptQuestion.objects.get(pk=item.pk).seq == 0


def test_submit_twice_returns_same_result_with_feedback_by_policy(exam, learner, api_for):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    client = api_for(learner)
    for item in attempt.items.all():
        client.put(
            _answer_url(attempt.pk, item.question_id),
            {"answer": correct_answer(item), "seq": 1},
            format="json",
        )
    url = reverse("api-attempt-submit", args=[attempt.pk])
    first = client.post(url).json()
    second = client.post(url).json()
    assert first["result"]["score"] == "100.00" == second["result"]["score"]
    assert first["questions"][0]["feedback"]["correct"] is True


def test_score_only_policy_hides_per_question_feedback(exam, learner, api_for):
    exam.feedback_policy = FeedbackPolicy.SCORE_ONLY
    exam.save()
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    data = api_for(learner).post(reverse("api-attempt-submit", args=[attempt.pk])).json()
    assert data["result"]["score"] == "0.00"
    assert all("feedback" not in q for q in data["questions"])


def test_session_auth_requires_csrf(exam, learner, api_for):
    client = api_for(learner, csrf=True)
    response = client.post(reverse("api-exam-attempts", args=[exam.pk]))
    assert response.status_code == 403


def test_token_auth_works(exam, learner):
    token = Token.objects.create(user=learner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.post(reverse("api-exam-attempts", args=[exam.pk])).status_code == 201


def test_openapi_schema_documents_the_player_api(admin, client):
    client.force_login(admin)
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    for path in (
        "/api/v1/exams/",
        "/api/v1/exams/{exam_id}/attempts/",
        "/api/v1/attempts/{attempt_id}/",
        "/api/v1/attempts/{attempt_id}/answers/{question_id}/",
        "/api/v1/attempts/{attempt_id}/submit/",
    ):
        assert path in text
