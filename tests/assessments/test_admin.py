from django.urls import reverse

from assessments.factories import ExamFactory, QuestionFactory
from assessments.models import Category, QuestionType


def test_trainer_filters_the_question_bank(trainer, client_for, django_assert_max_num_queries):
    for i in range(5):
        QuestionFactory(
            code=f"MED-F{i}", category=Category.MEDIATION, tags=["噪声"] if i < 2 else []
        )
    QuestionFactory(code="EMG-F1", category=Category.EMERGENCY, qtype=QuestionType.TRUE_FALSE)
    client = client_for(trainer)
    url = reverse("wagtailsnippets_assessments_question:list")
    with django_assert_max_num_queries(40):
        response = client.get(url, {"category": "mediation"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "MED-F0" in html and "EMG-F1" not in html
    html = client.get(url, {"tag": "噪声"}).content.decode()
    assert "MED-F0" in html and "MED-F3" not in html


def test_question_edit_keeps_revisions(trainer, client_for):
    q = QuestionFactory(code="REV-1", qtype=QuestionType.TRUE_FALSE)
    client = client_for(trainer)
    url = reverse("wagtailsnippets_assessments_question:edit", args=[q.pk])
    assert client.get(url).status_code == 200
    history = reverse("wagtailsnippets_assessments_question:history", args=[q.pk])
    assert client.get(history).status_code == 200


def test_learner_cannot_open_the_bank(learner, client_for):
    ExamFactory(code="EX-ADM")
    response = client_for(learner).get(reverse("wagtailsnippets_assessments_question:list"))
    assert response.status_code in (302, 403)


def test_trainer_creates_an_exam_with_a_pool_in_the_admin(trainer, client_for):
    q = QuestionFactory(code="ADM-Q1")
    client = client_for(trainer)
    url = reverse("wagtailsnippets_assessments_exam:add")
    assert client.get(url).status_code == 200
    data = {
        "code": "EX-ADM-2",
        "title": "管理后台新建的考试",
        "description": "",
        "is_active": "on",
        "time_limit_minutes": "15",
        "max_attempts": "2",
        "pass_mark": "60",
        "grading_method": "highest",
        "feedback_policy": "immediate",
        "layout": "one",
        "shuffle_questions": "on",
        "blind_marking": "on",
        "double_marking_tolerance": "1",
        "fixed_questions-TOTAL_FORMS": "1",
        "fixed_questions-INITIAL_FORMS": "0",
        "fixed_questions-MIN_NUM_FORMS": "0",
        "fixed_questions-MAX_NUM_FORMS": "1000",
        "fixed_questions-0-question": str(q.pk),
        "fixed_questions-0-ORDER": "1",
        "fixed_questions-0-id": "",
        "fixed_questions-0-DELETE": "",
        "pools-TOTAL_FORMS": "1",
        "pools-INITIAL_FORMS": "0",
        "pools-MIN_NUM_FORMS": "0",
        "pools-MAX_NUM_FORMS": "1000",
        "pools-0-category": "mediation",
        "pools-0-tier": "T1",
        "pools-0-difficulty": "",
        "pools-0-tag": "",
        "pools-0-count": "10",
        "pools-0-ORDER": "1",
        "pools-0-id": "",
        "pools-0-DELETE": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    from assessments.models import Exam

    exam = Exam.objects.get(code="EX-ADM-2")
    assert exam.fixed_questions.get().question == q
    assert exam.pools.get().count == 10
    assert exam.latest_revision is not None


def test_learner_cannot_create_exams(learner, client_for):
    response = client_for(learner).get(reverse("wagtailsnippets_assessments_exam:add"))
    assert response.status_code in (302, 403)
