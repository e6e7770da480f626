"""The courses part of the learner home (``/``) and of the site header."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .models import CourseIndexPage, Enrollment, Registration

# The catalogue's URL is in the header of every page: cached, and forgotten whenever a page or a
# site changes (rare editor actions). GA_SITE_CACHE_SECONDS bounds how long another process's cache may
# keep an outdated link when the cache is per process (locmem).
CATALOGUE_URL_KEY = "courses:catalogue_url"


def _catalogue_url() -> str:
    url = cache.get(CATALOGUE_URL_KEY)
    if url is None:
        index = CourseIndexPage.objects.live().only("url_path").first()
        url = index.url if index else "/courses/"
        cache.set(CATALOGUE_URL_KEY, url, settings.GA_SITE_CACHE_SECONDS)
    return url


@receiver(post_save, dispatch_uid="courses_catalogue_url_save")
@receiver(post_delete, dispatch_uid="courses_catalogue_url_delete")
@receiver(page_published, dispatch_uid="courses_catalogue_url_published")
@receiver(page_unpublished, dispatch_uid="courses_catalogue_url_unpublished")
@receiver(post_page_move, dispatch_uid="courses_catalogue_url_moved")
def _forget_catalogue_url(sender, instance=None, **kwargs) -> None:
    if isinstance(instance, Page | Site):
        cache.delete(CATALOGUE_URL_KEY)


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
