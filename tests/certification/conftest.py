"""Helpers for certification tests: levels with simple requirements, real course completions."""

import datetime as dt
from decimal import Decimal

import pytest

from certification.models import CertificationLevel, LevelRequirement
from people.models import WorkerProfile


@pytest.fixture
def worker(learner):
    return WorkerProfile.objects.select_related("user", "org_unit").get(user=learner)


@pytest.fixture
def other_worker(other_learner):
    return WorkerProfile.objects.select_related("user", "org_unit").get(user=other_learner)


@pytest.fixture
def level_c0(db):
    return CertificationLevel.objects.get(code="C0")


@pytest.fixture
def level_c1(db):
    return CertificationLevel.objects.get(code="C1")


@pytest.fixture
def simple_level(db):
    """Only "T1" issues automatically: it needs 8 CPD hours in the last 12 months."""
    CertificationLevel.objects.update(auto_issue=False)
    level = CertificationLevel.objects.create(
        code="T1", name="测试等级", rank=5, validity_months=36, renewal_window_days=90
    )
    LevelRequirement.objects.create(
        level=level, kind="cpd_hours", hours=Decimal("8"), window_months=12
    )
    return level


@pytest.fixture
def credit():
    """credit(user, hours, on) writes the CPD ledger through courses' own service."""
    from courses.services import credit_hours

    counter = {"n": 0}

    def _credit(user, hours, on=None):
        counter["n"] += 1
        return credit_hours(
            user,
            source="other",
            source_key=f"test-{counter['n']}",
            hours=hours,
            earned_on=on or dt.date.today(),
            description="测试学时",
            acting_user=None,
        )

    return _credit
