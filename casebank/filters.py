"""Facets of the case library (django-filter): scenario type, tag, org unit, law, year."""

from __future__ import annotations

import json

import django_filters
from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from people.models import OrgUnit

from .models import CaseLawReference, CasePage, CasePageTag, CaseSearchDocument, ScenarioType

FACETS = ["scenario", "tag", "org", "law", "year"]


class CaseFilter(django_filters.FilterSet):
    scenario = django_filters.ChoiceFilter(
        field_name="scenario_type", choices=ScenarioType.choices, label=_("Scenario type")
    )
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))
    org = django_filters.CharFilter(method="filter_org", label=_("Org unit of origin"))
    # Bounded like the database's integer columns, so a 40-digit id is "no match", not a 500.
    law = django_filters.NumberFilter(
        method="filter_law", label=_("Law referenced"), min_value=1, max_value=2**53
    )
    year = django_filters.NumberFilter(
        method="filter_year", label=_("Year"), min_value=1900, max_value=2100
    )

    class Meta:
        model = CasePage
        fields: list[str] = []

    def filter_tag(self, queryset, name, value):
        return queryset.filter(
            pk__in=CasePageTag.objects.filter(tag__slug=value).values("content_object_id")
        )

    def filter_org(self, queryset, name, value):
        unit = OrgUnit.objects.filter(code=value).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(
            origin_org_unit__path__startswith=unit.path, origin_org_unit__depth__gte=unit.depth
        )

    def filter_law(self, queryset, name, value):
        return queryset.filter(
            pk__in=CaseLawReference.objects.filter(law_id=value).values("page_id")
        )

    def filter_year(self, queryset, name, value):
        return queryset.filter(
            pk__in=CaseSearchDocument.objects.filter(year=value).values("case_id")
        )


def id_set(ids: list[int]) -> RawSQL:
    """A materialised set of case ids as ONE bound parameter, for ``pk__in=``.

    The ids are computed once per search; passing them as a JSON text (SQLite ``json_each``) or
    an array (PostgreSQL ``unnest``) keeps the SQL and its parameters the same size whatever the
    number of cases, instead of re-running the full-text match inside every facet query.
    """
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])


def facet_counts(name: str, cases: QuerySet, ids=None) -> list[dict]:
    """``[{"value", "label", "count"}]`` for one facet over ``cases`` (one query).

    ``CaseFilter`` narrows with ``pk__in`` subqueries only (no multi-valued joins), so ``cases``
    has one row per case and can be grouped directly. ``ids``, when given, is an expression for
    the same cases' ids (e.g. ``id_set``), used instead of ``cases.values("pk")``.
    """
    if ids is None:
        ids = cases.values("pk")
    if name == "scenario":
        labels = dict(ScenarioType.choices)
        rows = cases.values("scenario_type").annotate(n=Count("pk")).order_by("-n", "scenario_type")
        return [
            {"value": r["scenario_type"], "label": labels.get(r["scenario_type"]), "count": r["n"]}
            for r in rows
        ]
    if name == "tag":
        rows = (
            CasePageTag.objects.filter(content_object_id__in=ids)
            .values("tag__slug", "tag__name")
            .annotate(n=Count("content_object_id", distinct=True))
            .order_by("-n", "tag__name")[:20]
        )
        return [{"value": r["tag__slug"], "label": r["tag__name"], "count": r["n"]} for r in rows]
    if name == "org":
        rows = (
            cases.filter(origin_org_unit__isnull=False)
            .values("origin_org_unit__code", "origin_org_unit__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "origin_org_unit__name")[:20]
        )
        return [
            {
                "value": r["origin_org_unit__code"],
                "label": r["origin_org_unit__name"],
                "count": r["n"],
            }
            for r in rows
        ]
    if name == "law":
        rows = (
            CaseLawReference.objects.filter(page_id__in=ids)
            .values("law_id", "law__name", "law__short_name")
            .annotate(n=Count("page_id", distinct=True))
            .order_by("-n", "law__name")[:20]
        )
        return [
            {
                "value": str(r["law_id"]),
                "label": r["law__short_name"] or r["law__name"],
                "count": r["n"],
            }
            for r in rows
        ]
    if name == "year":
        rows = (
            CaseSearchDocument.objects.filter(case_id__in=ids, year__isnull=False)
            .values("year")
            .annotate(n=Count("case_id"))
            .order_by("-year")
        )
        return [{"value": str(r["year"]), "label": str(r["year"]), "count": r["n"]} for r in rows]
    raise ValueError(name)
