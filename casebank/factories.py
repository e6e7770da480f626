"""Helpers that build cases for tests, the demo seeder and the benchmark."""

from __future__ import annotations

import factory

from .models import CaseIndexPage, CaseLawReference, CasePage, Law, ScenarioType


class LawFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Law
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试法规{n}")


def build_case(
    index: CaseIndexPage,
    *,
    title: str,
    scenario_type: str = ScenarioType.MEDIATION,
    background: str = "背景",
    steps: list[tuple[str, str, str]] | None = None,
    outcome: str = "成效",
    lessons: str = "经验",
    red_lines: str = "",
    method_name: str = "",
    origin_org_unit=None,
    laws: list[tuple[Law, str]] | None = None,
    tags: list[str] | None = None,
    authors: list | None = None,
    owner=None,
    slug: str | None = None,
) -> CasePage:
    """Create a case as an unpublished draft with one revision (publish it separately)."""
    page = CasePage(
        title=title,
        slug=slug or "",
        method_name=method_name,
        scenario_type=scenario_type,
        background=background,
        steps=[
            ("step", {"action": a, "tools": t, "legal_basis": b})
            for a, t, b in (steps or [("第一步", "", "")])
        ],
        outcome=outcome,
        lessons=lessons,
        red_lines=red_lines,
        origin_org_unit=origin_org_unit,
        owner=owner,
        live=False,
    )
    for law, article in laws or []:
        page.law_references.add(CaseLawReference(law=law, article=article))
    index.add_child(instance=page)
    if tags:
        page.tags.add(*tags)
    if authors:
        page.authors.set(authors)
    page.save()
    page.save_revision(user=owner)
    return page


def publish(page: CasePage, user=None) -> CasePage:
    page.get_latest_revision().publish(user=user)
    return CasePage.objects.get(pk=page.pk)
