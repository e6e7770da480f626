"""The seams with ``courses``: required exams, lesson activities, completion refresh.

Courses never imports assessments; assessments registers itself with the courses hooks in
``AssessmentsConfig.ready`` (see docs/architecture.md, "Cross-app contracts").
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _exam_passed(user, exam) -> bool:
    from .queries import best_exam_results

    result = best_exam_results([user.pk]).get(user.pk, {}).get(exam.code)
    return bool(result and result.passed)


def required_exams(user, course) -> list:
    """Course-completion provider: each active exam the course requires, met when passed."""
    from courses.completion import Requirement

    from .models import Exam

    requirements = []
    exams = Exam.objects.filter(course_id=course.pk, course_required=True, is_active=True)
    for exam in exams:
        requirements.append(
            Requirement(
                label=_("Exam %(code)s %(title)s: at least %(mark)s%%")
                % {"code": exam.code, "title": exam.title, "mark": f"{exam.pass_mark:g}"},
                met=bool(getattr(user, "is_authenticated", False)) and _exam_passed(user, exam),
                url=reverse("assessments:exam_detail", args=[exam.pk]),
            )
        )
    return requirements


def refresh_courses_for(user, exam) -> None:
    """After a result is released: let courses re-check completion of the exam's course."""
    course_id = getattr(exam, "course_id", None)
    if not course_id:
        return
    from courses.models import CoursePage
    from courses.services import refresh_completion

    course = CoursePage.objects.filter(pk=course_id).first()
    if course is not None:
        refresh_completion(user, course)


def _activity_choices():
    from .models import Exam

    return [(str(e.pk), f"{e.code} {e.title}") for e in Exam.objects.filter(is_active=True)]


def _render_activity(request, ref: str) -> str:
    from .models import Exam

    exam = Exam.objects.filter(pk=ref if str(ref).isdigit() else 0, is_active=True).first()
    return render_to_string(
        "assessments/includes/exam_card.html",
        {"exam": exam, "now": timezone.now()},
        request=request,
    )


def register() -> None:
    from courses.activities import register_activity_kind
    from courses.completion import register_requirement_provider

    register_requirement_provider(required_exams)
    register_activity_kind(
        "exam",
        label=gettext_lazy("Exam"),
        choices=_activity_choices,
        render=_render_activity,
    )
