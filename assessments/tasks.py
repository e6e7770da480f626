"""Celery tasks: thin, idempotent wrappers over services (primary keys in, re-fetch)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="assessments.submit_overdue_attempts", acks_late=True)
def submit_overdue_attempts() -> int:
    """Submit every attempt past its deadline plus grace, from its last saved answers."""
    from .services import submit_overdue_attempts as run

    return run()


@shared_task(name="assessments.compute_item_statistics", acks_late=True)
def compute_item_statistics(exam_id: int) -> bool:
    """Recompute one exam's item statistics; quietly does nothing if the exam is gone."""
    from .models import Exam
    from .statistics import compute_item_statistics as run

    exam = Exam.objects.filter(pk=exam_id).first()
    if exam is None:
        return False
    run(exam)
    return True
