"""Listen to the lower apps' signals and enqueue an evaluation after the transaction commits.

The signal modules are the contracts of docs/architecture.md; each one is connected when its
app ships it (an app that has not landed yet is skipped, never an error).
"""

from __future__ import annotations

import logging
from importlib import import_module

from django.db import transaction

logger = logging.getLogger(__name__)

SIGNALS = [
    ("courses.signals", "course_completed"),
    ("courses.signals", "hours_credited"),
    ("assessments.signals", "exam_passed"),
    ("assessments.simulations.signals", "run_finished"),
]


def enqueue_evaluation(user) -> None:
    """Queue ``evaluate_worker`` for ``user``'s worker profile once the transaction commits."""
    from people.models import WorkerProfile

    from .tasks import evaluate_worker

    user_id = getattr(user, "pk", user)
    worker_id = WorkerProfile.objects.filter(user_id=user_id).values_list("pk", flat=True).first()
    if worker_id is None:
        return
    transaction.on_commit(lambda: evaluate_worker.delay(worker_id))


def on_event(sender=None, user=None, **kwargs) -> None:
    if user is not None:
        enqueue_evaluation(user)


def connected_signals() -> list[str]:
    found = []
    for module_name, attr in SIGNALS:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:
            continue
        signal = getattr(module, attr, None)
        if signal is not None:
            found.append(f"{module_name}.{attr}")
    return found


def connect() -> None:
    for module_name, attr in SIGNALS:
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:
            continue
        signal = getattr(module, attr, None)
        if signal is None:
            continue
        signal.connect(on_event, dispatch_uid=f"certification:{module_name}.{attr}")
