"""The question-bank filterset (admin listing and export share it)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from .models import Question


class QuestionFilterSet(WagtailFilterSet):
    tag = django_filters.CharFilter(
        field_name="tags__name", lookup_expr="exact", label=_("Tag"), distinct=True
    )

    class Meta:
        model = Question
        fields = ["qtype", "category", "tier", "difficulty", "law"]
