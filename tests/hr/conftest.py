"""HR test helpers: workers with certificates in both streets, API tokens, a fresh feed."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from certification.hr.tokens import create_token
from certification.models import CertificationLevel
from certification.services import issue_certificate
from people.factories import WorkerProfileFactory
from people.models import WorkerProfile


@pytest.fixture(autouse=True)
def _hr_settings(settings, tmp_path):
    settings.GA_HR_FEED_SETTLE_SECONDS = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GA_HR_API_RATE = "10000/min"


@pytest.fixture
def level_c1(db):
    return CertificationLevel.objects.get(code="C1")


@pytest.fixture
def worker_a(learner):
    return WorkerProfile.objects.select_related("user", "org_unit").get(user=learner)


@pytest.fixture
def worker_b(other_learner):
    return WorkerProfile.objects.select_related("user", "org_unit").get(user=other_learner)


@pytest.fixture
def certified(worker_a, worker_b, level_c1):
    """A C1 for the worker of 街道A and one for the worker of 街道B (issued 2025-01-10)."""
    on = dt.date(2025, 1, 10)
    cert_a, _ = issue_certificate(worker_a, level_c1, acting_user=None, on=on)
    cert_b, _ = issue_certificate(worker_b, level_c1, acting_user=None, on=on)
    return cert_a, cert_b


@pytest.fixture
def make_workers(org):
    """make_workers(n, unit) → n more workers in ``unit`` (default 街道A's first grid)."""

    def _make(n, unit=None, **kwargs):
        return [WorkerProfileFactory(org_unit=unit or org.grid_a1, **kwargs) for _ in range(n)]

    return _make


@pytest.fixture
def token_a(org, district_admin):
    token, key = create_token("人事系统A", org.street_a, acting_user=district_admin)
    return key


@pytest.fixture
def token_b(org, district_admin):
    token, key = create_token("人事系统B", org.street_b, acting_user=district_admin)
    return key


@pytest.fixture
def grant():
    def _grant(user, dotted):
        app_label, codename = dotted.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
        for attr in ("_perm_cache", "_user_perm_cache"):
            user.__dict__.pop(attr, None)
        return user

    return _grant


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()
