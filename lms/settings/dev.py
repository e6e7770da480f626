"""Local development: `make run`. SQLite under var/, Celery tasks run eagerly in-process."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
GA_ALLOW_DEMO_DATA = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
