from decimal import Decimal

from django.utils import timezone

from assessments import services
from assessments.models import GradingMethod
from assessments.queries import ExamResult, best_exam_results

from .conftest import correct_answer


def _sit(exam, user, right: int):
    attempt, _ = services.start_attempt(exam, acting_user=user)
    for i, item in enumerate(attempt.items.all()):
        if i < right:
            services.save_answer(
                attempt, item.question_id, correct_answer(item), 1, acting_user=user
            )
    return services.submit_attempt(attempt, acting_user=user)


def test_highest_and_last_grading(exam, learner, other_learner, django_assert_num_queries):
    _sit(exam, learner, 4)
    _sit(exam, learner, 1)
    _sit(exam, other_learner, 2)
    with django_assert_num_queries(1):
        results = best_exam_results([learner.pk, other_learner.pk])
    today = timezone.localdate()
    assert results[learner.pk]["EX-TEST"] == ExamResult(Decimal("100.00"), True, today)
    assert results[other_learner.pk]["EX-TEST"] == ExamResult(Decimal("50.00"), False, today)
    exam.grading_method = GradingMethod.LAST
    exam.save()
    assert best_exam_results([learner.pk])[learner.pk]["EX-TEST"].score == Decimal("25.00")


def test_constant_query_count_and_empty(exam, learner, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert best_exam_results([]) == {}
    with django_assert_num_queries(1):
        assert best_exam_results([learner.pk]) == {}
