"""A header link to the HR records for HR staff and district admins."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from .records import can_view_records


def nav_links(request) -> list[dict]:
    if can_view_records(request.user):
        return [{"label": _("HR records"), "url": reverse("hr_records"), "order": 85}]
    return []
