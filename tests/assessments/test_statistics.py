import math
from decimal import Decimal

import pytest

from assessments import services
from assessments.factories import ExamFactory, QuestionFactory
from assessments.models import ExamStatistics, ItemStatistics, QuestionType
from assessments.statistics import compute_item_statistics, flags_for, scatter_svg
from people.factories import WorkerProfileFactory

# Five learners × three true/false items; 1 = right, 0 = wrong.
MATRIX = [
    [1, 1, 0],
    [1, 1, 1],
    [1, 0, 0],
    [1, 0, 1],
    [1, 1, 0],
]


@pytest.fixture
def sat_exam(org, django_capture_on_commit_callbacks):
    qs = [QuestionFactory(code=f"ST-{i}", qtype=QuestionType.TRUE_FALSE) for i in range(3)]
    exam = ExamFactory(code="EX-STAT", questions=qs)
    # One transaction for all five: statistics are scheduled once and see every attempt.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for row in MATRIX:
            user = WorkerProfileFactory(org_unit=org.grid_a1).user
            attempt, _ = services.start_attempt(exam, acting_user=user)
            for item in attempt.items.all():
                right = row[int(item.question.code[-1])]
                services.save_answer(attempt, item.question_id, bool(right), 1, acting_user=user)
            services.submit_attempt(attempt, acting_user=user)
    assert sum(1 for c in callbacks if getattr(c, "ga_statistics_exam", None)) == 1
    return exam, qs


def _kr20(matrix):
    k = len(matrix[0])
    n = len(matrix)
    totals = [sum(r) for r in matrix]
    mean = sum(totals) / n
    var_total = sum((t - mean) ** 2 for t in totals) / n
    pq = 0.0
    for j in range(k):
        p = sum(r[j] for r in matrix) / n
        pq += p * (1 - p)
    return k / (k - 1) * (1 - pq / var_total)


def test_statistics_match_hand_computation(sat_exam):
    exam, qs = sat_exam
    stats = compute_item_statistics(exam)
    assert stats.attempts == 5
    assert stats.alpha_method == "KR-20"
    assert math.isclose(stats.alpha, _kr20(MATRIX), abs_tol=1e-9)
    by_code = {s.question.code: s for s in ItemStatistics.objects.filter(exam=exam)}
    assert by_code["ST-0"].facility == 1.0
    assert by_code["ST-1"].facility == pytest.approx(0.6)
    assert by_code["ST-0"].discrimination is None  # everyone right: no variance
    assert "too_easy" in by_code["ST-0"].flags
    tf_counts = {d["option"]: d["count"] for d in by_code["ST-2"].distractors}
    assert sorted(tf_counts.values()) == [2, 3]
    assert stats.mean_score == Decimal("66.67")


def test_statistics_are_recomputed_by_the_task_after_submission(sat_exam):
    exam, _qs = sat_exam
    # The eager Celery task ran after each submission.
    assert ExamStatistics.objects.get(exam=exam).attempts == 5
    assert ItemStatistics.objects.filter(exam=exam).count() == 3


def test_recompute_is_idempotent(sat_exam):
    exam, _qs = sat_exam
    compute_item_statistics(exam)
    compute_item_statistics(exam)
    assert ItemStatistics.objects.filter(exam=exam).count() == 3


def test_flags():
    assert flags_for(0.1, 0.5, 10) == ["too_hard"]
    assert flags_for(0.5, -0.2, 10) == ["negative_discrimination"]
    assert flags_for(0.5, 0.05, 10) == ["low_discrimination"]
    assert flags_for(0.5, 0.4, 10) == []
    assert flags_for(0.95, 0.4, 1) == []


def test_chart_is_inline_svg_with_one_point_per_item(sat_exam):
    exam, _qs = sat_exam
    compute_item_statistics(exam)
    rows = list(enumerate(ItemStatistics.objects.filter(exam=exam), start=1))
    svg = str(scatter_svg(rows))
    assert svg.startswith("<svg") and svg.count("<circle") == 3
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
