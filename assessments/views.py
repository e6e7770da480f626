"""Learner pages (exam list, exam, player, result) and trainer pages (marking, statistics)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import grading, services
from .access import (
    exams_for_learner,
    get_attempt_for,
    get_exam_for,
    get_exam_for_statistics,
    get_markable_item,
    is_marker,
    marking_queue_for,
)
from .models import Attempt, AttemptStatus, Exam, ItemStatistics, MarkingState
from .presenters import attempt_payload, exam_summaries, feedback_visible
from .statistics import (
    FLAG_LABELS,
    compute_item_statistics,
    scatter_svg,
    statistics_are_stale,
)


@login_required
def exam_list(request):
    now = timezone.now()
    exams = list(exams_for_learner(request.user, now).select_related("course"))
    return TemplateResponse(
        request,
        "assessments/exam_list.html",
        {"rows": exam_summaries(exams, request.user, now)},
    )


@login_required
def exam_detail(request, pk: int):
    exam = get_exam_for(request.user, pk)
    now = timezone.now()
    summary = exam_summaries([exam], request.user, now)[0]
    attempts = Attempt.objects.filter(exam=exam, user=request.user).order_by("number")
    return TemplateResponse(
        request,
        "assessments/exam_detail.html",
        {"exam": exam, "summary": summary, "attempts": attempts, "now": now},
    )


@login_required
@require_POST
def exam_start(request, pk: int):
    exam = get_exam_for(request.user, pk)
    try:
        attempt, _created = services.start_attempt(exam, acting_user=request.user)
    except services.AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect("assessments:exam_detail", pk=exam.pk)
    return redirect("assessments:attempt_player", pk=attempt.pk)


@login_required
def attempt_player(request, pk: int):
    attempt = get_attempt_for(request.user, pk)
    if attempt.status == AttemptStatus.IN_PROGRESS and services.is_overdue(attempt):
        services.submit_attempt(attempt, acting_user=request.user, auto=True)
        attempt.refresh_from_db()
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect("assessments:attempt_result", pk=attempt.pk)
    payload = attempt_payload(attempt)
    js_messages = {
        "saved": _("All answers saved"),
        "unsaved": _("%(n)s answer(s) not yet saved"),
        "offline": _("Offline: %(n)s answer(s) will be sent when the network returns"),
        "stale": _("This answer was changed in another window; the newer answer is shown."),
        "deadline": _("Time is up: answers after the deadline are not recorded."),
        "closed": _("This attempt has already been submitted."),
        "confirm": _("Submit your answers now? You cannot change them afterwards."),
        "submitting": _("Submitting…"),
        "submit_failed": _("Could not submit. Check the network and try again."),
        "time_up": _("Time is up. Submitting your saved answers…"),
        "leave": _("Some answers are not saved yet."),
        "question": _("Question %(n)s"),
    }
    return TemplateResponse(
        request,
        "assessments/attempt_player.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "payload": payload,
            "questions": payload["questions"],
            "js_config": {
                "attempt": attempt.pk,
                "api": reverse("api-attempt", args=[attempt.pk]),
                "submit": reverse("api-attempt-submit", args=[attempt.pk]),
                "result": reverse("assessments:attempt_result", args=[attempt.pk]),
                "remaining": payload["seconds_remaining"],
                "layout": attempt.exam.layout,
                "messages": js_messages,
            },
        },
    )


@login_required
def attempt_result(request, pk: int):
    attempt = get_attempt_for(request.user, pk)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        if not services.is_overdue(attempt):
            return redirect("assessments:attempt_player", pk=attempt.pk)
        attempt = services.submit_attempt(attempt, acting_user=request.user, auto=True)
    show = feedback_visible(attempt)
    items = []
    if show:
        for item in attempt.items.prefetch_related("marks"):
            items.append(
                {
                    "position": item.position,
                    "text": item.snapshot["text"],
                    "answer": grading.answer_text(item.snapshot, item.answer),
                    "correct_answer": grading.correct_answer_text(item.snapshot),
                    "is_correct": item.is_correct,
                    "points": item.points,
                    "max_points": item.max_points,
                    "explanation": item.snapshot.get("explanation", ""),
                    "law": item.snapshot.get("law", ""),
                    "law_article": item.snapshot.get("law_article", ""),
                    "type": item.snapshot["type"],
                    "comments": [m.comment for m in item.marks.all() if m.comment],
                }
            )
    return TemplateResponse(
        request,
        "assessments/attempt_result.html",
        {"attempt": attempt, "exam": attempt.exam, "items": items, "show_feedback": show},
    )


# --- trainers -----------------------------------------------------------------------------


def _require_marker(request):
    if not request.user.is_authenticated or not is_marker(request.user):
        raise Http404


@login_required
def marking_queue(request):
    _require_marker(request)
    items = list(marking_queue_for(request.user)[:200])
    return TemplateResponse(request, "assessments/marking_queue.html", {"items": items})


@login_required
def mark_item(request, pk: int):
    _require_marker(request)
    item = get_markable_item(request.user, pk)
    rubric = item.snapshot.get("rubric", [])
    errors = []
    if request.method == "POST":
        levels = {}
        for i in range(len(rubric)):
            raw = request.POST.get(f"criterion-{i}", "")
            if raw.isdigit():
                levels[str(i)] = int(raw)
        try:
            services.record_mark(
                item,
                levels=levels,
                comment=request.POST.get("comment", "")[:2000],
                acting_user=request.user,
            )
        except services.AssessmentError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, _("Mark saved."))
            return redirect("assessments:marking_queue")
    exam = item.attempt.exam
    return TemplateResponse(
        request,
        "assessments/mark_item.html",
        {
            "item": item,
            "exam": exam,
            "rubric": rubric,
            "third": item.marking_state == MarkingState.THIRD,
            "learner": None if exam.blind_marking else item.attempt.user,
            "errors": errors,
        },
    )


@login_required
def statistics_index(request):
    _require_marker(request)
    exams = Exam.objects.select_related("statistics").order_by("code")
    return TemplateResponse(request, "assessments/statistics_index.html", {"exams": exams})


@login_required
def exam_statistics(request, pk: int):
    exam = get_exam_for_statistics(request.user, pk)
    if request.method == "POST":
        compute_item_statistics(exam, acting_user=request.user)
        messages.success(request, _("Statistics recomputed."))
        return redirect("assessments:exam_statistics", pk=exam.pk)
    summary = getattr(exam, "statistics", None)
    if statistics_are_stale(exam, summary):
        # Recomputations are debounced (or the task has not run yet): bring them up to date.
        summary = compute_item_statistics(exam)
    stats = list(
        ItemStatistics.objects.filter(exam=exam)
        .select_related("question")
        .order_by("question__code")
    )
    numbered = list(enumerate(stats, start=1))
    rows = [
        {
            "number": n,
            "stat": s,
            "flags": [str(FLAG_LABELS[f]()) for f in s.flags if f in FLAG_LABELS],
        }
        for n, s in numbered
    ]
    return TemplateResponse(
        request,
        "assessments/exam_statistics.html",
        {
            "exam": exam,
            "summary": summary,
            "rows": rows,
            "chart": scatter_svg(numbered) if stats else "",
            "flagged": sum(1 for s in stats if s.flags),
        },
    )
