from celery import shared_task


@shared_task(name="lms.ping")
def ping() -> str:
    """Answers "pong": lets CI and /healthz see that a worker really runs tasks."""
    return "pong"
