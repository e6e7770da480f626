"""Authorised reads of certificates and grade reviews: scoped querysets or 404."""

from __future__ import annotations

from django.http import Http404

from people.access import org_units_visible_to, workers_visible_to

from .models import Certificate, GradeReview
from .services import can_manage_certificates


def own_certificates(user):
    if not getattr(user, "is_authenticated", False):
        return Certificate.objects.none()
    return Certificate.objects.filter(worker__user=user).select_related(
        "level", "superseded_by", "worker"
    )


def get_own_certificate(user, pk) -> Certificate:
    """Only the holder gets their certificate (and its PDF); anyone else gets 404."""
    try:
        return own_certificates(user).get(pk=pk)
    except (Certificate.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def certificates_managed_by(user):
    if not can_manage_certificates(user):
        return Certificate.objects.none()
    return Certificate.objects.filter(worker__in=workers_visible_to(user)).select_related(
        "level", "worker__user", "worker__org_unit"
    )


def get_managed_certificate(user, pk) -> Certificate:
    try:
        return certificates_managed_by(user).get(pk=pk)
    except (Certificate.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def reviews_visible_to(user):
    if not can_manage_certificates(user):
        return GradeReview.objects.none()
    return GradeReview.objects.filter(org_unit__in=org_units_visible_to(user)).select_related(
        "org_unit"
    )


def get_review_for(user, pk) -> GradeReview:
    try:
        return reviews_visible_to(user).get(pk=pk)
    except (GradeReview.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
