"""Listen to the lower apps' signals and enqueue an evaluation after the transaction commits.

The signals are the contracts of docs/architecture.md ("Cross-app contracts").
"""

from __future__ import annotations

from django.db import transaction


def enqueue_evaluation(user) -> None:
    """Queue ``evaluate_worker`` for ``user``'s worker profile once the transaction commits."""
    from people.models import WorkerProfile

    from .tasks import evaluate_worker

    user_id = getattr(user, "pk", user)
    worker_id = WorkerProfile.objects.filter(user_id=user_id).values_list("pk", flat=True).first()
    if worker_id is None:
        return
    # robust: a broker or database hiccup here must not fail the learner's request; the daily
    # sweep (certification.sweep_due) evaluates anyone an event missed.
    transaction.on_commit(lambda: evaluate_worker.delay(worker_id), robust=True)


def on_event(sender=None, user=None, **kwargs) -> None:
    if user is not None:
        enqueue_evaluation(user)


def signals():
    from assessments.signals import exam_passed
    from assessments.simulations.signals import run_finished
    from courses.signals import course_completed, hours_credited

    return {
        "courses.course_completed": course_completed,
        "courses.hours_credited": hours_credited,
        "assessments.exam_passed": exam_passed,
        "simulations.run_finished": run_finished,
    }


def connect() -> None:
    for name, signal in signals().items():
        signal.connect(on_event, dispatch_uid=f"certification:{name}")
