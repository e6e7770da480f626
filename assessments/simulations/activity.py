"""The "simulation" kind of lesson activity (``"simulation:<code>"``)."""

from __future__ import annotations

from django.template.loader import render_to_string


def activity_choices() -> list[tuple[str, str]]:
    from .models import Scenario

    return [(s.code, s.title) for s in Scenario.objects.filter(live=True).order_by("code")]


def render_activity(request, ref: str) -> str:
    from .models import Scenario

    scenario = Scenario.objects.filter(live=True, code=ref).prefetch_related("variants").first()
    return render_to_string(
        "simulations/includes/activity_card.html", {"scenario": scenario}, request=request
    )
