"""Authorised reads: what a learner may play, whose runs a trainer may analyse. 404 otherwise."""

from __future__ import annotations

from django.http import Http404

from people.access import jurisdiction_of, sees_everything

from .models import Run, Scenario

ANALYSE_PERMISSION = "simulations.view_run"


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def scenarios_open_to(user):
    """Live (published) scenarios; every signed-in account may play them."""
    if not _active(user):
        return Scenario.objects.none()
    return Scenario.objects.filter(live=True).prefetch_related("variants")


def get_scenario_for_play(user, pk) -> Scenario:
    try:
        return scenarios_open_to(user).get(pk=int(pk))
    except (Scenario.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_run_for(user, pk) -> Run:
    """The learner's own run; anyone else's answers 404 (even for staff: runs are personal)."""
    if not _active(user):
        raise Http404
    try:
        return Run.objects.select_related("scenario").get(pk=int(pk), user=user)
    except (Run.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can_analyse(user) -> bool:
    return _active(user) and user.has_perm(ANALYSE_PERMISSION)


def runs_visible_to(user):
    """Runs of learners inside the user's jurisdiction (analytics and exports)."""
    if not can_analyse(user):
        return Run.objects.none()
    if sees_everything(user):
        return Run.objects.all()
    root = jurisdiction_of(user)
    if root is None:
        return Run.objects.none()
    return Run.objects.filter(user__worker__org_unit__path__startswith=root.path)


def scenarios_for_analysis(user):
    if not can_analyse(user):
        return Scenario.objects.none()
    return Scenario.objects.all()


def get_scenario_for_analysis(user, pk) -> Scenario:
    try:
        return scenarios_for_analysis(user).get(pk=int(pk))
    except (Scenario.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
