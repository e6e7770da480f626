"""The course-completion hook: higher apps tell courses what else a course requires.

A course is complete when every lesson is done **and** every registered provider reports its
requirements met. Providers live in higher apps (assessments registers "required exams"), so
courses never imports them:

    from courses.completion import Requirement, register_requirement_provider

    @register_requirement_provider
    def required_exams(user, course) -> list[Requirement]:
        ...

When something a provider reads changes (an exam is passed), the higher app calls
``courses.services.refresh_completion(user, course)`` so completion is re-checked at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    """One requirement of a course beyond its lessons, e.g. 考试「MED-101 结业测验」≥ 60 分."""

    label: str
    met: bool
    url: str = ""


RequirementProvider = Callable[..., list[Requirement]]
_providers: list[RequirementProvider] = []


def register_requirement_provider(provider: RequirementProvider) -> RequirementProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def extra_requirements(user, course) -> list[Requirement]:
    """Every registered requirement for ``user`` on ``course``, met or not."""
    requirements: list[Requirement] = []
    for provider in _providers:
        requirements.extend(provider(user, course))
    return requirements
