"""Authorised reads for courses: scoped querysets, or 404 for anything not yours."""

from __future__ import annotations

from django.http import Http404

from people.access import sees_everything, workers_visible_to
from people.models import WorkerProfile

from .models import Enrollment, TrainingSession


def _prefixes(path: str, steplen: int = 4) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def sessions_visible_to(user):
    """Sessions a user may see: staff their managed ones, learners those organised for them
    (by their own unit or any unit above it), superusers all."""
    qs = TrainingSession.objects.select_related("course", "trainer", "org_unit")
    if sees_everything(user):
        return qs
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    managed = manageable_sessions(user)
    worker = WorkerProfile.objects.select_related("org_unit").filter(user=user).first()
    if worker is None:
        return managed
    return qs.filter(org_unit__path__in=_prefixes(worker.org_unit.path)) | managed


def manageable_sessions(user):
    qs = TrainingSession.objects.select_related("course", "trainer", "org_unit")
    if sees_everything(user):
        return qs
    if not getattr(user, "is_authenticated", False) or not user.has_perm(
        "courses.change_trainingsession"
    ):
        return qs.none()
    root = user.jurisdiction
    if root is None:
        return qs.filter(trainer=user)
    return qs.filter(org_unit__path__startswith=root.path) | qs.filter(trainer=user)


def get_session_for(user, pk) -> TrainingSession:
    try:
        return sessions_visible_to(user).distinct().get(pk=pk)
    except (TrainingSession.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_managed_session_for(user, pk) -> TrainingSession:
    try:
        return manageable_sessions(user).distinct().get(pk=pk)
    except (TrainingSession.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def cohort_enrollments_for(user):
    """Enrolments of the workers ``user`` may see (trainers, HR, admins); none for others."""
    qs = Enrollment.objects.select_related(
        "user", "user__worker", "user__worker__org_unit", "course"
    )
    if not user.has_perm("courses.view_cohort_progress"):
        return qs.none()
    workers = workers_visible_to(user)
    if not sees_everything(user) and user.jurisdiction_id is None:
        return qs.none()
    return qs.filter(user__worker__in=workers.values("pk"))
