"""The one filter set of the HR records: the admin list, its exports and export tasks."""

from __future__ import annotations

from types import SimpleNamespace

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from certification.models import CertificationLevel
from people.access import org_units_visible_to
from people.models import Post, WorkerProfile

from . import records


def _units(request):
    if request is None:
        return org_units_visible_to(None)
    return org_units_visible_to(request.user)


def _levels():
    return [
        (code, f"{code} {name}")
        for code, name in CertificationLevel.objects.filter(is_badge=False)
        .order_by("rank")
        .values_list("code", "name")
    ]


class RecordFilterSet(WagtailFilterSet):
    q = django_filters.CharFilter(
        label=_("Name or employee number"), method="filter_q", max_length=50
    )
    org_unit = django_filters.ModelChoiceFilter(
        label=_("Org unit (with everything below)"), queryset=_units, method="filter_unit"
    )
    post = django_filters.ChoiceFilter(label=_("Post"), choices=Post.choices)
    level = django_filters.ChoiceFilter(
        label=_("Certification level"), choices=_levels, method="filter_level"
    )
    status = django_filters.ChoiceFilter(
        label=_("Certificate status"), choices=records.STATUS_CHOICES, method="filter_status"
    )
    expiring_within = django_filters.NumberFilter(
        label=_("Expiring within (days)"),
        method="filter_expiring",
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput(attrs={"min": 0, "max": 3650}),
    )
    eligibility = django_filters.ChoiceFilter(
        label=_("Grade review"), choices=records.ELIGIBILITY_CHOICES, method="filter_eligibility"
    )

    class Meta:
        model = WorkerProfile
        fields = ["q", "org_unit", "post", "level", "status", "expiring_within", "eligibility"]

    def filter_q(self, qs, name, value):
        return records.search(qs, value)

    def filter_unit(self, qs, name, value):
        return records.filter_subtree(qs, value)

    def filter_level(self, qs, name, value):
        return qs.filter(cert_level=value)

    def filter_status(self, qs, name, value):
        return records.filter_status(qs, value)

    def filter_expiring(self, qs, name, value):
        return records.filter_expiring(qs, int(value))

    def filter_eligibility(self, qs, name, value):
        return records.filter_eligibility(qs, value)


FILTER_KEYS = RecordFilterSet.Meta.fields


def clean_params(data) -> dict:
    """Only the filter parameters (no paging, export or ordering keys), for audit and tasks."""
    return {k: data.get(k) for k in FILTER_KEYS if data.get(k) not in (None, "")}


def filtered_records(user, params: dict):
    """(queryset, errors) for ``user`` and filter ``params``; errors when a value is invalid."""
    fs = RecordFilterSet(
        data=params, queryset=records.records_for(user), request=SimpleNamespace(user=user)
    )
    if not fs.is_valid():
        return None, fs.errors
    return fs.qs, None
