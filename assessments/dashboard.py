"""Exams on the learner home and in the header."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import exams_for_learner, is_marker
from .presenters import exam_summaries


def panels(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    now = timezone.now()
    exams = list(exams_for_learner(user, now).select_related("course")[:20])
    rows = [r for r in exam_summaries(exams, user, now) if r["is_open"]]
    if not rows:
        return []
    return [
        {
            "template": "assessments/includes/dashboard_panel.html",
            "context": {"exam_rows": rows[:5]},
            "order": 40,
        }
    ]


def nav_links(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    links = [{"label": _("Exams"), "url": reverse("assessments:exam_list"), "order": 40}]
    if is_marker(user):
        links.append(
            {"label": _("Marking"), "url": reverse("assessments:marking_queue"), "order": 41}
        )
    return links
