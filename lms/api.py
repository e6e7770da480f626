"""Shared pieces of the JSON API."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, always answering JSON with a ``detail`` message people can read."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": response.data}
    return response


def only_api_v1(endpoints, **kwargs):
    """Keep our public API in the schema; Wagtail's admin API is internal to the admin."""
    return [e for e in endpoints if e[0].startswith("/api/v1/")]
