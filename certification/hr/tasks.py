"""Celery tasks of the HR app: thin wrappers over services, primary keys in, idempotent."""

from celery import shared_task


@shared_task(name="hr.run_export", acks_late=True, ignore_result=True)
def run_export(job_id: int) -> None:
    from .exports import run_export_job

    run_export_job(job_id)


@shared_task(name="hr.purge_expired_exports", acks_late=True, ignore_result=True)
def purge_expired_exports() -> int:
    from .exports import purge_expired_exports as purge

    return purge()


@shared_task(name="hr.sync_feed", acks_late=True, ignore_result=True)
def sync_feed() -> int:
    from .feed import sync_feed as sync

    return sync()
