"""A header link to the HR records for HR staff and district admins."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from lms.dashboard import NavLink

from .records import can_view_records


def nav_links(request) -> list[NavLink]:
    if can_view_records(request.user):
        return [NavLink(_("HR records"), reverse("hr_records"), order=85)]
    return []
