"""The courses part of the learner home (``/``) and of the site header."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CourseIndexPage, Enrollment, Registration


def _catalogue_url() -> str:
    index = CourseIndexPage.objects.live().first()
    return index.url if index else "/courses/"


def panels(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    enrollments = list(
        Enrollment.objects.open()
        .filter(user=user, course__live=True)
        .select_related("course")
        .order_by("due_date", "-enrolled_at")[:8]
    )
    today = timezone.localdate()
    for e in enrollments:
        e.days_left = (e.due_date - today).days if e.due_date else None
    registrations = list(
        Registration.objects.filter(
            user=user,
            status__in=[Registration.Status.REGISTERED, Registration.Status.WAITLISTED],
            session__ends_at__gte=timezone.now(),
        )
        .select_related("session")
        .order_by("session__starts_at")[:5]
    )
    from .views import hours_this_year

    return [
        {
            "template": "courses/includes/dashboard_courses.html",
            "context": {
                "enrollments": enrollments,
                "registrations": registrations,
                "hours_this_year": hours_this_year(user),
                "year": today.year,
                "catalogue_url": _catalogue_url(),
            },
            "order": 20,
        }
    ]


def nav_links(request) -> list[dict]:
    links = [{"label": _("Courses"), "url": _catalogue_url(), "order": 10}]
    user = request.user
    if user.is_authenticated:
        links.append(
            {"label": _("My learning"), "url": reverse("courses:my_learning"), "order": 11}
        )
        links.append(
            {"label": _("Offline sessions"), "url": reverse("courses:session_list"), "order": 12}
        )
        if user.has_perm("courses.view_cohort_progress"):
            links.append(
                {"label": _("Cohort progress"), "url": reverse("courses:cohort"), "order": 13}
            )
    return links
