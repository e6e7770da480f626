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
