"""Production-like settings for the benchmarks: lms.settings.production plus a throwaway
database, plain HTTP on 127.0.0.1 and demo data allowed (bench databases only).

bench.common.bench_env() supplies SECRET_KEY, ALLOWED_HOSTS, SECURE_SSL_REDIRECT=False and the
DATABASE_URL of a benchmark database; DEBUG stays off.
"""

from lms.settings.production import *  # noqa: F401,F403
from lms.settings.production import BASE_DIR, env

DEBUG = False
# Collected static files of the benchmark server (manifest storage needs a collectstatic run).
STATIC_ROOT = BASE_DIR / "var" / "bench-static"
MEDIA_ROOT = BASE_DIR / "var" / "bench-media"
# A throwaway database: seed_demo may run here.
GA_ALLOW_DEMO_DATA = True
# Plain HTTP on 127.0.0.1: cookies must travel without TLS.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
WAGTAILADMIN_BASE_URL = "http://127.0.0.1"
# The page benchmark hammers one account; the exam-day run keeps the shipped per-user rate.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {  # noqa: F405
    "anon": env("API_THROTTLE_ANON", default="60/min"),
    "user": env("API_THROTTLE_USER", default="600/min"),
}
# The fault drills shorten the broker's redelivery delay for tasks a killed worker had reserved
# (kombu's Redis default is one hour; the shipped settings do not set it).
if env("BENCH_VISIBILITY_TIMEOUT", default=""):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("BENCH_VISIBILITY_TIMEOUT")}
