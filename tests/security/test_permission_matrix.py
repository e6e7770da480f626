"""The permission matrix: every endpoint that takes an object id, every persona, objects inside
and outside their reach. The rules live in ``tests/security/rules.py``.

Two kinds of tests:

* coverage: the URL resolver and the OpenAPI schema are walked; any endpoint with an object
  id and no rule fails (so a new endpoint cannot silently go unchecked);
* one matrix test per endpoint: each persona requests each object and gets what the rule says
  (allowed, or 403/404; anonymous visitors may be sent to the login page). Every request runs
  in a savepoint that is rolled back, so one persona's POST cannot change what the next sees.
"""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from .rules import (
    CONTENT_SNIPPET_NAMESPACES,
    CONTENT_SNIPPET_RULE,
    EXEMPT,
    KNOWN_LEAKS,
    PERSONAS,
    RULES,
    UNCHECKED,
    Rule,
)
from .world import World

PROJECT_APPS = ("people", "casebank", "courses", "assessments", "certification", "lms")


def _walk(resolver, prefix="", namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name, pattern


def _has_parameter(route: str) -> bool:
    return bool(re.search(r"<[^>]+>|\(\?P<|\(\\d|\(\.\*\)|\(\[", route))


def _is_project_admin_route(route: str, name: str | None, pattern) -> bool:
    module = getattr(pattern.callback, "__module__", "") or ""
    if module.split(".")[0] in PROJECT_APPS:
        return True
    labels = {c.label for c in apps.get_app_configs() if c.name.split(".")[0] in PROJECT_APPS}
    return bool(name) and any(
        name.startswith((f"wagtailsnippets_{label}_", f"wagtailsnippetchoosers_{label}_"))
        for label in labels
    )


def endpoints_with_object_ids() -> list[tuple[str, str, object]]:
    """(key, route, pattern) for every route the matrix must cover."""
    found = []
    for route, name, pattern in _walk(get_resolver()):
        if not _has_parameter(route):
            continue
        if route.startswith("admin/") and not _is_project_admin_route(route, name, pattern):
            continue
        found.append((name or route, route, pattern))
    return found


def rule_for(key: str) -> Rule | None:
    if key in RULES:
        return RULES[key]
    namespace = key.split(":")[0]
    if namespace in CONTENT_SNIPPET_NAMESPACES:
        return CONTENT_SNIPPET_RULE
    return None


def test_every_endpoint_with_an_object_id_has_a_rule():
    missing = [
        f"{key}  ({route})"
        for key, route, _p in endpoints_with_object_ids()
        if rule_for(key) is None and key not in EXEMPT
    ]
    assert not missing, (
        "These endpoints take an object id but have no permission rule; add one to "
        "tests/security/rules.py (see docs/security.md):\n  " + "\n  ".join(missing)
    )


@pytest.mark.django_db
def test_every_api_operation_with_a_path_parameter_has_a_rule(client_for, admin):
    response = client_for(admin).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    missing = []
    for path in schema["paths"]:
        if "{" not in path:
            continue
        sample = re.sub(r"\{[^}]+\}", "1", path)
        match = resolve(sample)
        key = match.view_name
        if rule_for(key) is None and key not in EXEMPT:
            missing.append(f"{key}  ({path})")
    assert not missing, "API operations without a permission rule:\n  " + "\n  ".join(missing)


# --- the matrix -------------------------------------------------------------------------------


def _matrix_groups() -> list:
    """One test per endpoint; the global-content snippet screens one test per model."""
    groups: dict[str, list[str]] = {}
    for key, _route, _pattern in endpoints_with_object_ids():
        if key in EXEMPT or rule_for(key) is None:
            continue
        group = key.split(":")[0] if rule_for(key) is CONTENT_SNIPPET_RULE else key
        groups.setdefault(group, []).append(key)
    params = []
    for group, keys in sorted(groups.items()):
        marks = []
        if group in KNOWN_LEAKS:
            marks = [pytest.mark.xfail(strict=False, reason=KNOWN_LEAKS[group])]
        params.append(pytest.param(sorted(keys), id=group, marks=marks))
    return params


def _content_snippet_objects(world: World, key: str, pattern) -> dict:
    """The first object of the snippet's model (built by the world where we know how)."""
    namespace = key.split(":")[0]
    app_label, _sep, model_name = namespace.split("_", 1)[1].partition("_")
    model = apps.get_model(app_label, model_name)
    builders = {
        ("assessments", "exam"): lambda: world.exam,
        ("assessments", "question"): lambda: world.exam.fixed_questions.first().question,
        ("simulations", "scenario"): lambda: world.scenario,
    }
    obj = model.objects.order_by("pk").first()
    if obj is None and (app_label, model_name) in builders:
        obj = builders[(app_label, model_name)]()
    if obj is None and (app_label, model_name) == ("casebank", "law"):
        from casebank.factories import LawFactory

        obj = LawFactory()
    if obj is None and (app_label, model_name) == ("certification", "wageindex"):
        import datetime as dt

        obj = model.objects.create(year=2025, amount=98000, effective_from=dt.date(2026, 7, 1))
    assert obj is not None, f"{key}: no {model.__name__} to test with; teach world.py to make one"
    values = {
        "pk": obj.pk,
        "revision_id": getattr(obj, "latest_revision_id", None) or 1,
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "action_name": "approve",
        "task_state_id": 1,
        "workflow_state_id": 1,
    }
    names = list(pattern.pattern.regex.groupindex)
    return {"g": {n: values[n] for n in names}}


def _url(key: str, kwargs: dict) -> str:
    if "__args__" in kwargs:
        return reverse(key, args=kwargs["__args__"])
    return reverse(key, kwargs=kwargs)


def _login_redirect(response) -> bool:
    return response.status_code == 302 and "login" in response.get("Location", "")


def _denied(response, persona: str, admin_route: bool) -> bool:
    if response.status_code in (403, 404):
        return True
    if persona == "anonymous" and (response.status_code == 401 or _login_redirect(response)):
        return True
    # Wagtail sends people without the needed admin permission back to the dashboard/login.
    return (
        admin_route
        and response.status_code == 302
        and (_login_redirect(response) or response.get("Location", "").rstrip("/") == "/admin")
    )


def _allowed(response, admin_route: bool) -> bool:
    if response.status_code in (401, 403, 404, 405) or response.status_code >= 500:
        return False
    if _login_redirect(response):
        return False
    return not (
        admin_route
        and response.status_code == 302
        and response.get("Location", "").rstrip("/") == "/admin"
    )


class _Rollback(Exception):
    pass


def _request(client: Client, rule: Rule, url: str):
    kwargs = {}
    if rule.json:
        kwargs = {"data": json.dumps(rule.data or {}), "content_type": "application/json"}
    elif rule.data is not None:
        kwargs = {"data": rule.data}
    return getattr(client, rule.method.lower())(url, **kwargs)


@pytest.fixture
def documents_on_disk(settings, tmp_path):
    """Wagtail serves documents from a real file: the in-memory test storage has none."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.mark.django_db
@pytest.mark.parametrize("keys", _matrix_groups())
def test_permission_matrix(keys, request, org, site, settings, documents_on_disk):
    settings.GA_HR_FEED_SETTLE_SECONDS = 0
    personas = {name: request.getfixturevalue(name) for name in PERSONAS if name != "anonymous"}
    # Sign everybody in before any object exists: a successful login clears that account's
    # login lock, which must not happen between building a lock and testing access to it.
    clients = {"anonymous": Client()}
    for name, user in personas.items():
        clients[name] = Client()
        clients[name].force_login(user)
    world = World(org, personas, site)
    failures = []
    for key in keys:
        failures += _check_endpoint(key, world, clients)
    assert not failures, "\n  ".join(failures)


def _check_endpoint(key: str, world: World, clients: dict) -> list[str]:
    route, pattern = next((r, p) for k, r, p in endpoints_with_object_ids() if k == key)
    rule = rule_for(key)
    objects = (
        _content_snippet_objects(world, key, pattern)
        if rule is CONTENT_SNIPPET_RULE
        else rule.objects(world)
    )
    admin_route = route.startswith("admin/")
    failures: list[str] = []
    for persona in PERSONAS:
        client = clients[persona]
        expected = rule.allowed.get(persona, set())
        for label, kwargs in objects.items():
            url = _url(key, kwargs)
            cache.clear()
            try:
                with transaction.atomic():
                    response = _request(client, rule, url)
                    raise _Rollback
            except _Rollback:
                pass
            status = response.status_code
            where = response.get("Location", "")
            if status >= 500:
                failures.append(f"{persona} → {label} {rule.method} {url}: {status}")
            elif expected == UNCHECKED:
                # In-reach results depend on admin permissions; outside the district: never.
                if label == "x" and not _denied(response, persona, admin_route):
                    failures.append(f"{persona} must NOT reach x {rule.method} {url}: {status}")
            elif label in expected and not _allowed(response, admin_route):
                failures.append(
                    f"{persona} should reach {label} {rule.method} {url}: {status} {where}"
                )
            elif label not in expected and not _denied(response, persona, admin_route):
                failures.append(
                    f"{persona} must NOT reach {label} {rule.method} {url}: {status} {where}"
                )
    return [f"{key}: {f}" for f in failures]
