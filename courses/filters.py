"""django-filter sets for staff listings."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.access import org_units_visible_to
from people.models import Post

from .models import CoursePage, Enrollment

COHORT_STATUS = [
    ("completed", _("Completed")),
    ("overdue", _("Overdue")),
    ("in_progress", _("In progress")),
    ("not_started", _("Not started")),
]


def _courses(request):
    return CoursePage.objects.live().order_by("code")


def _units(request):
    return org_units_visible_to(request.user).order_by("path") if request else None


class CohortFilterSet(django_filters.FilterSet):
    course = django_filters.ModelChoiceFilter(
        label=_("Course"), queryset=_courses, empty_label=_("Any")
    )
    org_unit = django_filters.ModelChoiceFilter(
        label=_("Org unit"), queryset=_units, method="filter_unit", empty_label=_("Any")
    )
    post = django_filters.ChoiceFilter(
        label=_("Post"),
        choices=Post.choices,
        field_name="user__worker__post",
        empty_label=_("Any"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=COHORT_STATUS, method="filter_status", empty_label=_("Any")
    )
    q = django_filters.CharFilter(label=_("Name or employee number"), method="filter_text")

    class Meta:
        model = Enrollment
        fields = ["course", "org_unit", "post", "status", "q"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(user__worker__org_unit__path__startswith=value.path)

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == "completed":
            return queryset.filter(completed_at__isnull=False)
        if value == "overdue":
            return queryset.filter(completed_at__isnull=True, due_date__lt=today)
        open_not_overdue = Q(completed_at__isnull=True) & (
            Q(due_date__isnull=True) | Q(due_date__gte=today)
        )
        if value == "in_progress":
            return queryset.filter(open_not_overdue, lessons_done__gt=0)
        if value == "not_started":
            return queryset.filter(open_not_overdue, lessons_done=0)
        return queryset

    def filter_text(self, queryset, name, value):
        value = value.strip()[:50]
        if not value:
            return queryset
        return queryset.filter(
            Q(user__name__icontains=value) | Q(user__worker__employee_no__icontains=value)
        )
