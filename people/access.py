"""Who may see which people and org units. Every view and API scopes through here.

One rule: a user sees the org subtree rooted at their jurisdiction (HR, trainers, reviewers,
district admins); a superuser sees everything; a learner sees only themselves. Anything outside
answers 404, so "not found" and "not yours" look the same.
"""

from __future__ import annotations

from django.http import Http404

from .models import OrgUnit, WorkerProfile
from .roles import STAFF_ROLES, roles_of


def jurisdiction_of(user) -> OrgUnit | None:
    """The root of the org subtree ``user`` may see beyond themselves, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not (roles_of(user) & STAFF_ROLES):
        return None
    return user.jurisdiction


def sees_everything(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def org_units_visible_to(user):
    if sees_everything(user):
        return OrgUnit.objects.all()
    root = jurisdiction_of(user)
    if root is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.subtree_of(root)


def workers_visible_to(user):
    """Worker profiles ``user`` may read: their jurisdiction's subtree, or only themselves."""
    qs = WorkerProfile.objects.with_related()
    if sees_everything(user):
        return qs
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    root = jurisdiction_of(user)
    if root is None:
        return qs.filter(user=user)
    return qs.in_subtree(root)


def can_see_org_unit(user, unit: OrgUnit | None) -> bool:
    if unit is None:
        return False
    if sees_everything(user):
        return True
    root = jurisdiction_of(user)
    return root is not None and root.contains(unit)


def can_see_worker(user, worker: WorkerProfile) -> bool:
    if sees_everything(user):
        return True
    if getattr(user, "is_authenticated", False) and worker.user_id == user.pk:
        return True
    return can_see_org_unit(user, worker.org_unit)


def get_worker_for(user, pk) -> WorkerProfile:
    """The worker with ``pk`` if ``user`` may see them; otherwise 404."""
    try:
        return workers_visible_to(user).get(pk=pk)
    except (WorkerProfile.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
