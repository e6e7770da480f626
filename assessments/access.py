"""Authorised reads for exams, attempts and marking. Not found and not allowed both answer 404."""

from __future__ import annotations

from django.http import Http404

from people.access import sees_everything, workers_visible_to
from people.roles import TRAINER, has_role

from .models import Attempt, AttemptQuestion, Exam, MarkingState


def get_attempt_for(user, pk) -> Attempt:
    """The learner's own attempt with ``pk``; anybody else's attempt is a 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return Attempt.objects.select_related("exam").get(pk=int(pk), user=user)
    except (Attempt.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def exams_for_learner(user, now):
    """Exams a learner may see and sit: active, and not yet closed."""
    return Exam.objects.open_at(now)


def get_exam_for(user, pk) -> Exam:
    try:
        return Exam.objects.filter(is_active=True).get(pk=int(pk))
    except (Exam.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def is_marker(user) -> bool:
    return sees_everything(user) or has_role(user, TRAINER)


def is_statistics_viewer(user) -> bool:
    return is_marker(user)


def attempts_markable_by(user):
    """Attempts of learners inside ``user``'s jurisdiction (all for a superuser)."""
    if sees_everything(user):
        return Attempt.objects.all()
    if not is_marker(user):
        return Attempt.objects.none()
    visible = workers_visible_to(user).values("user_id")
    return Attempt.objects.filter(user_id__in=visible).exclude(user=user)


def marking_queue_for(user):
    """Short answers waiting for ``user``'s mark: pending or needing a third marker, never
    ones this user has already marked (double marking stays independent)."""
    return (
        AttemptQuestion.objects.filter(
            attempt__in=attempts_markable_by(user),
            marking_state__in=[MarkingState.PENDING, MarkingState.THIRD],
        )
        .exclude(marks__marker=user)
        .select_related("attempt__exam", "attempt__user")
        .order_by("attempt__submitted_at", "position")
    )


def get_markable_item(user, pk) -> AttemptQuestion:
    try:
        return marking_queue_for(user).get(pk=int(pk))
    except (AttemptQuestion.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_exam_for_statistics(user, pk) -> Exam:
    if not is_statistics_viewer(user):
        raise Http404
    try:
        return Exam.objects.get(pk=int(pk))
    except (Exam.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
