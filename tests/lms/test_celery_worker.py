"""A real Celery worker process picks up a task from Redis (run by .ci/run with -m celery_worker)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def worker():
    broker = os.environ["CELERY_BROKER_URL"]
    env = {**os.environ, "CELERY_BROKER_URL": broker, "DJANGO_SETTINGS_MODULE": "lms.settings.test"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms",
            "worker",
            "--pool=solo",
            "-l",
            "info",
            "-n",
            f"ci-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_a_real_worker_runs_a_task(worker, settings):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "CELERY_BROKER_URL must select a real broker"
    from lms.tasks import ping

    deadline = time.monotonic() + 60
    result = ping.delay()
    assert result.get(timeout=max(1, deadline - time.monotonic())) == "pong"
    assert worker.poll() is None, "the worker process died"
