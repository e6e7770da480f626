"""The learner home collects panels and navigation links from the apps.

An app contributes by defining ``<app>/dashboard.py`` with either or both of:

- ``panels(request) -> list[dict]``: sections of the home page (``/``), each
  ``dict(template=..., context={...}, order=N)``;
- ``nav_links(request) -> list[dict]``: links in the site header, each
  ``dict(label=..., url=..., order=N)``.

Apps return plain dicts so that they never import ``lms``: ``lms`` imports the apps, never the
other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    order: int = 100


def _dashboard_modules():
    for label in settings.PROJECT_APPS:
        name = f"{label}.dashboard"
        if label != "lms" and find_spec(name) is not None:
            yield import_module(name)


def collect_panels(request) -> list[Panel]:
    panels: list[Panel] = []
    for module in _dashboard_modules():
        if hasattr(module, "panels"):
            panels.extend(Panel(**item) for item in module.panels(request))
    return sorted(panels, key=lambda p: p.order)


def collect_nav_links(request) -> list[NavLink]:
    links: list[NavLink] = []
    for module in _dashboard_modules():
        if hasattr(module, "nav_links"):
            links.extend(NavLink(**item) for item in module.nav_links(request))
    return sorted(links, key=lambda link: link.order)
