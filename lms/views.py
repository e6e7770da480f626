from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "down"; details stay out of a public answer
        return "error"
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from lms.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return "error"
    return "ok"


@never_cache
def healthz(request):
    """JSON status of the database and the task broker; 503 when either is down."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(v in ("ok", "eager") for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def site_history_for_superusers(request, results_only=False):
    """Wagtail's site-wide audit report, for superusers only (it is not jurisdiction-aware)."""
    from wagtail.admin.views.reports.audit_logging import LogEntriesView

    if not (request.user.is_authenticated and request.user.is_superuser):
        raise Http404
    return LogEntriesView.as_view(results_only=results_only)(request)


def server_error(request):
    """The 500 handler: a friendly 503 with Retry-After while the database is unreachable.

    Django reconnects on the next request, so the site recovers by itself when the database
    is back. The pages rendered here need no database.
    """
    if _check_database() != "ok":
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)
