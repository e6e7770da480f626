"""Query counts of the exam-day paths: start, autosave and submit do not grow with the exam."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assessments import services
from assessments.factories import ExamFactory, ExamPoolFactory, QuestionFactory
from assessments.models import Category, QuestionType
from people.factories import UserFactory

from .conftest import correct_answer

TYPES = [
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.TRUE_FALSE,
    QuestionType.FILL_BLANK,
    QuestionType.SHORT_ANSWER,
]


def _exam(code: str, n: int, **kwargs):
    questions = [QuestionFactory(code=f"{code}-{i}", qtype=TYPES[i % 5]) for i in range(n)]
    return ExamFactory(code=code, questions=questions, **kwargs)


@pytest.fixture
def warm(db):
    """One start first: the audit log looks its content type up once per process."""
    user = UserFactory()
    services.start_attempt(_exam("C-WARM", 1), acting_user=user)


def _count(func, *args, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        result = func(*args, **kwargs)
    return len(ctx), result


# SQLite and PostgreSQL both count SAVEPOINT/RELEASE inside the test's transaction.
# Start: lock, my attempts, fixed questions, pools, questions, options, the attempt (in its own
# savepoint), the attempt questions (one insert), the audit entry (3), and the savepoint pair.
START_QUERIES = 15
SAVE_QUERIES = 4  # savepoint, item with its locked attempt, update, release
SUBMIT_QUERIES = 10


def test_start_costs_the_same_for_5_or_25_questions(warm, learner, other_learner):
    small = _exam("C-SMALL", 5, shuffle_questions=True, shuffle_options=True)
    large = _exam("C-LARGE", 25, shuffle_questions=True, shuffle_options=True)
    n_small, (a_small, _) = _count(services.start_attempt, small, acting_user=learner)
    n_large, (a_large, _) = _count(services.start_attempt, large, acting_user=other_learner)
    assert a_small.items.count() == 5 and a_large.items.count() == 25
    assert n_small == n_large <= START_QUERIES
    # Resuming the attempt in progress is cheaper still.
    n_resume, (again, created) = _count(services.start_attempt, large, acting_user=other_learner)
    assert again == a_large and not created and n_resume <= 5


def test_start_with_pools_costs_one_query_per_pool(warm, learner):
    for i in range(30):
        QuestionFactory(code=f"C-POOL-{i}", qtype=TYPES[i % 4], category=Category.EMERGENCY)
    fixed = _exam("C-FIXED", 5)
    pooled = _exam("C-POOLED", 5)
    ExamPoolFactory(exam=pooled, category=Category.EMERGENCY, count=20)
    n_fixed, _ = _count(services.start_attempt, fixed, acting_user=learner)
    n_pooled, (attempt, _) = _count(services.start_attempt, pooled, acting_user=learner)
    assert attempt.items.count() == 25
    assert n_pooled == n_fixed + 1


def test_autosave_and_submit_queries(warm, learner, other_learner):
    counts = {}
    for user, n in ((learner, 4), (other_learner, 20)):
        exam = _exam(f"C-SAVE-{n}", n)
        attempt, _ = services.start_attempt(exam, acting_user=user)
        item = attempt.items.filter(snapshot__type=QuestionType.SINGLE).first()
        saved, _ = _count(
            services.save_answer,
            attempt,
            item.question_id,
            correct_answer(item),
            1,
            acting_user=user,
        )
        submitted, _ = _count(services.submit_attempt, attempt, acting_user=user)
        counts[n] = (saved, submitted)
    assert counts[4] == counts[20]
    assert counts[4][0] == SAVE_QUERIES
    assert counts[4][1] <= SUBMIT_QUERIES


def test_autosave_request_queries(exam, learner, django_assert_max_num_queries):
    attempt, _ = services.start_attempt(exam, acting_user=learner)
    item = attempt.items.get(question__code="T-TF")
    client = APIClient()
    client.force_authenticate(learner)
    url = f"/api/v1/attempts/{attempt.pk}/answers/{item.question_id}/"
    # The attempt read by the view (access check), then the service's queries.
    with django_assert_max_num_queries(1 + SAVE_QUERIES):
        response = client.put(url, {"answer": True, "seq": 1}, format="json")
    assert response.status_code == 200
    with django_assert_max_num_queries(1 + SAVE_QUERIES + 1):
        stale = client.put(url, {"answer": False, "seq": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_seq"] == 1 and stale.json()["answer"] is True
