"""Celery application.

With no ``CELERY_BROKER_URL`` the settings make every task run eagerly in-process, so
`make run` and `make test` need nothing but Python. With ``CELERY_BROKER_URL=redis://…``
a real worker (``celery -A lms worker``) and beat (``celery -A lms beat``) run them.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
