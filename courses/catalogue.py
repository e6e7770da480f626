"""The catalogue listing: django-filter over live courses, with the viewer's status annotated."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from people.models import Post, WorkerProfile

from .models import Category, CoursePage, Delivery, Enrollment, Tier

STATUS_CHOICES = [
    ("not_enrolled", _("Not enrolled")),
    ("in_progress", _("Enrolled, not completed")),
    ("completed", _("Completed")),
]
PAGE_SIZE = 24


def courses_for(user, parent=None):
    """Live courses, annotated with ``my_enrolled``, ``my_completed``, ``my_due`` and ``open_to_me``."""
    qs = CoursePage.objects.live()
    if parent is not None:
        qs = qs.child_of(parent)
    if not getattr(user, "is_authenticated", False):
        return qs.order_by("tier", "code")
    mine = Enrollment.objects.filter(user=user, course_id=OuterRef("pk"))
    completed_ids = Enrollment.objects.filter(user=user, completed_at__isnull=False).values(
        "course_id"
    )
    prereq = CoursePage.prerequisites.through.objects.filter(from_coursepage_id=OuterRef("pk"))
    return qs.annotate(
        my_enrolled=Exists(mine),
        my_completed=Exists(mine.filter(completed_at__isnull=False)),
        my_due=Subquery(mine.values("due_date")[:1]),
        prereqs_met=~Exists(prereq.exclude(to_coursepage_id__in=completed_ids)),
    ).order_by("tier", "code")


class CourseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    tier = django_filters.ChoiceFilter(label=_("Tier"), choices=Tier.choices, empty_label=_("Any"))
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("Any")
    )
    post = django_filters.ChoiceFilter(
        label=_("Post"), choices=Post.choices, method="filter_post", empty_label=_("Any")
    )
    delivery = django_filters.ChoiceFilter(
        label=_("Delivery"), choices=Delivery.choices, empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(
        label=_("My status"), choices=STATUS_CHOICES, method="filter_status", empty_label=_("Any")
    )
    open_to_me = django_filters.BooleanFilter(
        label=_("Open to me"), method="filter_open", widget=forms.CheckboxInput
    )

    class Meta:
        model = CoursePage
        fields = ["q", "tier", "category", "post", "delivery", "status", "open_to_me"]

    def __init__(self, *args, worker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.worker = worker
        user = getattr(self.request, "user", None)
        if not getattr(user, "is_authenticated", False):
            del self.filters["status"]
            del self.filters["open_to_me"]

    def filter_text(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(code__icontains=value) | Q(summary__icontains=value)
        )

    def filter_post(self, queryset, name, value):
        return queryset.filter(Q(target_posts="") | Q(target_posts__contains=f",{value},"))

    def filter_status(self, queryset, name, value):
        if value == "not_enrolled":
            return queryset.filter(my_enrolled=False)
        if value == "in_progress":
            return queryset.filter(my_enrolled=True, my_completed=False)
        if value == "completed":
            return queryset.filter(my_completed=True)
        return queryset

    def filter_open(self, queryset, name, value):
        """Open to me: prerequisites met, not yet completed, and meant for my post."""
        if not value:
            return queryset
        queryset = queryset.filter(prereqs_met=True, my_completed=False)
        if self.worker is not None:
            queryset = queryset.filter(
                Q(target_posts="") | Q(target_posts__contains=f",{self.worker.post},")
            )
        return queryset


def course_status(course) -> str:
    if not hasattr(course, "my_enrolled"):
        return ""
    if course.my_completed:
        return "completed"
    if course.my_enrolled:
        return "enrolled"
    return "open" if course.prereqs_met else "locked"


def cards_key(index, request, courses) -> str:
    """Everything the rendered course cards show (the template caches them under it): the same
    courses with the same fields, links and viewer's status always render the same cards."""
    return repr(
        [
            index.get_url(request),
            [
                (
                    c.pk,
                    c.url_path,
                    c.code,
                    c.title,
                    c.tier,
                    c.category,
                    c.hours,
                    c.delivery,
                    c.summary,
                    c.my_status,
                    getattr(c, "my_due", None),
                )
                for c in courses
            ],
        ]
    )


def catalogue_context(index, request) -> dict:
    user = request.user
    worker = None
    if user.is_authenticated:
        worker = WorkerProfile.objects.filter(user=user).only("post").first()
    filterset = CourseFilterSet(
        request.GET or None, queryset=courses_for(user, index), request=request, worker=worker
    )
    queryset = filterset.qs if filterset.is_bound else filterset.queryset
    paginator = Paginator(queryset, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    courses = list(page_obj.object_list)
    for course in courses:
        course.my_status = course_status(course)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter": filterset,
        "courses": courses,
        "cards_key": cards_key(index, request, courses),
        "page_obj": page_obj,
        "query_string": query.urlencode(),
    }
