"""Settings shared by every environment. Secure by default: DEBUG is off here."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Apps in dependency order: an app may import the ones before it, never one after it.
PROJECT_APPS = [
    "people",
    "casebank",
    "courses",
    "assessments",
    "assessments.simulations",
    "certification",
    "certification.hr",
    "lms",
]

INSTALLED_APPS = [
    *PROJECT_APPS,
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_celery_beat",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "lms.middleware.WagtailSiteCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lms.middleware.AdminSessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lms.middleware.SecurityHeadersMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "lms.context_processors.navigation",
            ],
        },
    },
]

# SQLite file under var/ unless DATABASE_URL points elsewhere (PostgreSQL in production and CI).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'gridacademy.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL, a busy timeout, and write transactions that take the lock when they begin, so that
    # concurrent writers wait their turn instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;",
        }
    )
# Persistent connections on every engine: opening one per request costs ≈ 2 ms of CPU on SQLite
# (the pragmas above and Django's SQL functions registered on each connection).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["people.backends.UsernameOrMobileBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Chinese first: the site speaks Simplified Chinese unless the visitor picks English.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_COOKIE_NAME = "ga_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://grid-academy"),
}
# Site structure that every page needs and editors rarely change (Wagtail's site for a host, the
# catalogue and case-library links in the header) is cached this long; any page or site save
# clears it. 0 turns the caching off (tests: their rollbacks do not send save signals).
GA_SITE_CACHE_SECONDS = env.int("GA_SITE_CACHE_SECONDS", default=60)
# An exam's item statistics are recomputed at most once per this many seconds after submissions.
ASSESSMENTS_STATISTICS_DELAY = env.int("ASSESSMENTS_STATISTICS_DELAY", default=120)

# --- Wagtail ---------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "网格学堂"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip", "jpg", "png"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"

# Wagtail's own background work (search index, reference index) runs through django-tasks.
# Run it in-process: it is light, and it keeps search results current right after a publish.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
)
CELERY_TASK_ACKS_LATE = True
# With acks_late, a task held by a worker that died is delivered again once this many seconds
# have passed (Redis). Longer than any task runs; short enough to recover quickly.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60)
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic tasks: each app adds its own entries here (key = "<app>.<what>").
CELERY_BEAT_SCHEDULE: dict = {}

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "lms.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/min"),
        "user": env("API_THROTTLE_USER", default="600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Grid Academy API",
    "DESCRIPTION": "网格学堂 JSON API (v1)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PREPROCESSING_HOOKS": ["lms.api.only_api_v1"],
    # The schema is checked by the test suite, not by `check --deploy` at every start.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

# --- Security defaults -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=7 * 24 * 3600)
# Idle timeout for users with admin access (trainers, HR, admins).
GA_ADMIN_SESSION_IDLE_SECONDS = env.int("GA_ADMIN_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Login protection (people/lockout.py) and rate limits.
GA_LOGIN_ACCOUNT_LIMIT = env.int("GA_LOGIN_ACCOUNT_LIMIT", default=5)
GA_LOGIN_ADDRESS_LIMIT = env.int("GA_LOGIN_ADDRESS_LIMIT", default=50)
GA_LOGIN_WINDOW_SECONDS = 15 * 60
GA_LOGIN_LOCK_SECONDS = env.int("GA_LOGIN_LOCK_SECONDS", default=15 * 60)
# Proxies in front of the site whose X-Forwarded-For may be trusted (1 behind nginx).
GA_TRUSTED_PROXY_COUNT = env.int("GA_TRUSTED_PROXY_COUNT", default=0)
WAGTAILADMIN_USER_LOGIN_FORM = "lms.forms.AdminLoginForm"

# Demo accounts (seed_demo) are refused where this is False (production).
GA_ALLOW_DEMO_DATA = False
GA_ISSUING_BODY = env("GA_ISSUING_BODY", default="网格学堂培训认证中心")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
        "kombu": {"level": "ERROR"},
    },
}

# --- certification ---------------------------------------------------------------------------
# Public verification: at most this many look-ups per client address per window (seconds).
GA_VERIFY_RATE_LIMIT = (30, 60)
# (the client address comes from people.ratelimit.client_ip: see GA_TRUSTED_PROXY_COUNT)
# Base of the verification URL printed in the QR code (default: WAGTAILADMIN_BASE_URL).
GA_VERIFY_BASE_URL = env("GA_VERIFY_BASE_URL", default="")
# A TrueType CJK font to embed in certificate PDFs (default: the first found on the system).
GA_CJK_FONT = env("GA_CJK_FONT", default="")
CELERY_BEAT_SCHEDULE["certification.send_expiry_reminders"] = {
    "task": "certification.send_expiry_reminders",
    "schedule": 60 * 60 * 24,
}
CELERY_BEAT_SCHEDULE["certification.sweep_due"] = {
    "task": "certification.sweep_due",
    "schedule": 60 * 60 * 24,
}

# --- assessments -----------------------------------------------------------------------------
# Answers arriving this long after an attempt's deadline still count (network latency).
ASSESSMENTS_GRACE_SECONDS = env.int("ASSESSMENTS_GRACE_SECONDS", default=30)
CELERY_BEAT_SCHEDULE["assessments.submit_overdue_attempts"] = {
    "task": "assessments.submit_overdue_attempts",
    "schedule": 60.0,
}

# --- hr (certification.hr) -------------------------------------------------------------------
# Exports with more rows than this run as a Celery task; their files expire after the TTL.
GA_HR_EXPORT_SYNC_LIMIT = env.int("GA_HR_EXPORT_SYNC_LIMIT", default=20_000)
GA_HR_EXPORT_TTL_HOURS = env.int("GA_HR_EXPORT_TTL_HOURS", default=24)
# Per API token (or signed-in user) request rate of the HR API.
GA_HR_API_RATE = env("GA_HR_API_RATE", default="1200/hour")
# The event feed holds back events younger than this, so a cursor never passes an id that a
# concurrent transaction is still to commit.
GA_HR_FEED_SETTLE_SECONDS = env.int("GA_HR_FEED_SETTLE_SECONDS", default=5)
# Audit entries (Wagtail's log) are never deleted before this many days (minimum 180).
GA_AUDIT_RETENTION_DAYS = env.int("GA_AUDIT_RETENTION_DAYS", default=365)
CELERY_BEAT_SCHEDULE["hr.sync_feed"] = {"task": "hr.sync_feed", "schedule": 60 * 60}
CELERY_BEAT_SCHEDULE["hr.purge_expired_exports"] = {
    "task": "hr.purge_expired_exports",
    "schedule": 60 * 60,
}
