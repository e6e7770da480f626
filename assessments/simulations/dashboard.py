"""The learner home: open simulation runs; a header link to the simulations."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Run


def panels(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    runs = list(
        Run.objects.filter(user=user)
        .select_related("scenario")
        .only(
            "id",
            "status",
            "overall",
            "passed",
            "grade",
            "red_line",
            "scenario_key",
            "finished_at",
            "scenario__title",
            "scenario__code",
        )
        .order_by("-started_at")[:5]
    )
    return [
        {
            "template": "simulations/includes/dashboard_panel.html",
            "context": {"runs": runs},
            "order": 60,
        }
    ]


def nav_links(request) -> list[dict]:
    if not request.user.is_authenticated:
        return []
    return [{"label": _("Simulations"), "url": reverse("simulations:list"), "order": 40}]
