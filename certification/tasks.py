"""Celery tasks: thin, idempotent wrappers over services (primary keys in, ``acks_late``)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name="certification.evaluate_worker",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def evaluate_worker(worker_id: int) -> list[str]:
    """Evaluate one worker and issue what is due. Duplicate or concurrent runs issue nothing
    twice (row lock + unique constraint); a worker killed mid-task is simply re-delivered."""
    return [c.number for c in services.evaluate_and_issue(worker_id)]


@shared_task(name="certification.send_expiry_reminders", acks_late=True)
def send_expiry_reminders() -> int:
    return services.send_expiry_reminders()


@shared_task(name="certification.sweep_due", acks_late=True)
def sweep_due() -> int:
    """Daily: queue evaluations that no event triggered (renewal windows opening)."""
    return services.sweep_due()
