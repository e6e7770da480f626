"""Set-based read points for higher apps (certification, HR reports).

Every function here runs a fixed number of queries whatever the number of users.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from .models import Attempt, AttemptStatus, GradingMethod


@dataclass(frozen=True)
class ExamResult:
    score: Decimal
    passed: bool
    date: dt.date


def best_exam_results(user_ids) -> dict[int, dict[str, ExamResult]]:
    """``{user_id: {exam_code: ExamResult}}`` of released results, by each exam's grading method.

    "highest": the best score (earliest date on ties); "last": the latest graded attempt.
    ``passed`` compares that score with the exam's pass mark. One query.
    """
    ids = list(user_ids)
    if not ids:
        return {}
    rows = (
        Attempt.objects.filter(user_id__in=ids, status=AttemptStatus.GRADED)
        .order_by("user_id", "exam_id", "submitted_at", "pk")
        .values_list(
            "user_id",
            "exam__code",
            "exam__grading_method",
            "exam__pass_mark",
            "score",
            "submitted_at",
        )
    )
    chosen: dict[tuple[int, str], tuple[Decimal, Decimal, dt.datetime]] = {}
    for user_id, code, method, pass_mark, score, submitted_at in rows:
        key = (user_id, code)
        if method == GradingMethod.LAST or key not in chosen or score > chosen[key][0]:
            chosen[key] = (score, pass_mark, submitted_at)
    results: dict[int, dict[str, ExamResult]] = defaultdict(dict)
    for (user_id, code), (score, pass_mark, submitted_at) in chosen.items():
        results[user_id][code] = ExamResult(
            score=score,
            passed=score >= pass_mark,
            date=timezone.localdate(submitted_at),
        )
    return dict(results)
