"""What learners see of exams and attempts: shared by the JSON API and the HTML pages.

The answer key never leaves here before an attempt's result is released and the exam's
feedback policy allows it.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from . import grading
from .models import Attempt, AttemptStatus, Exam, FeedbackPolicy, GradingMethod
from .services import seconds_remaining


def feedback_visible(attempt: Attempt, now: dt.datetime | None = None) -> bool:
    """Per-question feedback (right/wrong, key, explanation) for a released result."""
    if attempt.status != AttemptStatus.GRADED:
        return False
    policy = attempt.exam.feedback_policy
    if policy == FeedbackPolicy.AFTER_SUBMIT:
        return True
    if policy == FeedbackPolicy.AFTER_CLOSE:
        now = now or timezone.now()
        return attempt.exam.closes_at is not None and now >= attempt.exam.closes_at
    return False


def exam_summaries(exams: list[Exam], user, now: dt.datetime) -> list[dict]:
    """One row per exam with the learner's attempts used/left and best result (2 queries)."""
    rows = (
        Attempt.objects.filter(user=user, exam__in=[e.pk for e in exams])
        .order_by("submitted_at", "pk")
        .values_list("exam_id", "pk", "status", "score", "passed")
    )
    used: dict[int, int] = {}
    in_progress: dict[int, int] = {}
    graded: dict[int, list[tuple]] = {}
    for exam_id, pk, status, score, passed in rows:
        used[exam_id] = used.get(exam_id, 0) + 1
        if status == AttemptStatus.IN_PROGRESS:
            in_progress[exam_id] = pk
        elif status == AttemptStatus.GRADED:
            graded.setdefault(exam_id, []).append((score, passed))
    out = []
    for exam in exams:
        results = graded.get(exam.pk, [])
        best = None
        if results:
            score, _passed = (
                results[-1]
                if exam.grading_method == GradingMethod.LAST
                else max(results, key=lambda r: r[0])
            )
            best = {"score": score, "passed": score >= exam.pass_mark}
        n = used.get(exam.pk, 0)
        course = exam.course
        out.append(
            {
                "id": exam.pk,
                "code": exam.code,
                "title": exam.title,
                "course": {"id": course.pk, "code": course.code, "title": course.title}
                if course
                else None,
                "time_limit_minutes": exam.time_limit_minutes,
                "opens_at": exam.opens_at,
                "closes_at": exam.closes_at,
                "is_open": exam.is_active
                and (exam.opens_at is None or exam.opens_at <= now)
                and (exam.closes_at is None or now < exam.closes_at),
                "pass_mark": exam.pass_mark,
                "max_attempts": exam.max_attempts or None,
                "attempts_used": n,
                "attempts_left": max(0, exam.max_attempts - n) if exam.max_attempts else None,
                "attempt_in_progress": in_progress.get(exam.pk),
                "best_result": best,
                "url": reverse("assessments:exam_detail", args=[exam.pk]),
            }
        )
    return out


def attempt_payload(attempt: Attempt, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    items = list(attempt.items.all())
    exam = attempt.exam
    show_feedback = feedback_visible(attempt, now)
    questions = []
    for item in items:
        q = grading.public_view(item.snapshot, item.option_order)
        q.update(
            {
                "position": item.position,
                "answer": item.answer,
                "seq": item.seq,
                "saved_at": item.saved_at,
            }
        )
        if show_feedback:
            q["feedback"] = {
                "correct": item.is_correct,
                "points": item.points,
                "correct_answer": grading.correct_answer_text(item.snapshot),
                "explanation": item.snapshot.get("explanation", ""),
            }
        questions.append(q)
    result = None
    if attempt.status == AttemptStatus.GRADED:
        result = {
            "score": attempt.score,
            "passed": attempt.passed,
            "points_awarded": attempt.points_awarded,
            "points_possible": attempt.points_possible,
            "graded_at": attempt.graded_at,
        }
    return {
        "id": attempt.pk,
        "exam": {
            "id": exam.pk,
            "code": exam.code,
            "title": exam.title,
            "layout": exam.layout,
            "feedback_policy": exam.feedback_policy,
        },
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "server_time": now,
        "seconds_remaining": seconds_remaining(attempt, now)
        if attempt.status == AttemptStatus.IN_PROGRESS
        else None,
        "submitted_at": attempt.submitted_at,
        "questions": questions,
        "result": result,
        "result_url": reverse("assessments:attempt_result", args=[attempt.pk]),
    }
