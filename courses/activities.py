"""The lesson "activity slot": higher apps register kinds of activity a lesson can hold.

A ``LessonPage`` body has an activity block whose value is ``"<kind>:<ref>"`` (for example
``"exam:12"`` or ``"simulation:SIM-01"``). Courses does not know what an exam is; assessments
registers the kind in its ``AppConfig.ready``:

    from courses.activities import register_activity_kind

    register_activity_kind(
        "exam",
        label=_("Exam"),
        choices=lambda: [(str(e.pk), e.title) for e in Exam.objects.all()],
        render=lambda request, ref: render_to_string("assessments/includes/exam_card.html", ...),
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ActivityKind:
    key: str
    label: str
    choices: Callable[[], list[tuple[str, str]]]
    render: Callable[..., str]


_kinds: dict[str, ActivityKind] = {}


def register_activity_kind(key: str, *, label, choices, render) -> None:
    _kinds[key] = ActivityKind(key=key, label=label, choices=choices, render=render)


def activity_choices() -> list[tuple[str, str]]:
    """All activities an editor can place in a lesson, as ``("kind:ref", "Kind: title")``."""
    options: list[tuple[str, str]] = []
    for kind in _kinds.values():
        for ref, title in kind.choices():
            options.append((f"{kind.key}:{ref}", f"{kind.label}：{title}"))
    return options


def render_activity(request, value: str) -> str:
    """HTML for the activity ``value`` ("kind:ref"), or a notice if it no longer exists."""
    key, _sep, ref = (value or "").partition(":")
    kind = _kinds.get(key)
    if kind is None or not ref:
        return format_html('<p class="muted">{}</p>', _("This activity is not available."))
    return kind.render(request, ref)
