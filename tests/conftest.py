"""Shared persona fixtures. Every test module can ask for these by name.

The org tree: 市 → 区 → 街道A (two communities, grids) and 街道B (one community, grid).
Personas: learner (grid worker in 街道A), other_learner (worker in 街道B), trainer, reviewer,
hr_street_a, hr_street_b, hr_district, district_admin, admin (superuser), and ``client_for``
to get a logged-in test client for any of them.
"""

import pytest

from people.factories import OrgUnitFactory, UserFactory, WorkerProfileFactory
from people.models import OrgLevel, Post
from people.roles import DISTRICT_ADMIN, HR, LEARNER, REVIEWER, TRAINER


@pytest.fixture
def org(db):
    """A small org tree; attributes: city, district, street_a, street_b, community_a1, …"""

    class Org:
        pass

    o = Org()
    o.city = OrgUnitFactory(name="青川市", code="t-city", level=OrgLevel.CITY)
    o.district = OrgUnitFactory(parent=o.city, name="临江区", code="t-dist")
    o.street_a = OrgUnitFactory(parent=o.district, name="柳岸街道", code="t-a")
    o.street_b = OrgUnitFactory(parent=o.district, name="枫林街道", code="t-b")
    o.community_a1 = OrgUnitFactory(parent=o.street_a, name="柳岸社区", code="t-a-1")
    o.community_a2 = OrgUnitFactory(parent=o.street_a, name="桂园社区", code="t-a-2")
    o.community_b1 = OrgUnitFactory(parent=o.street_b, name="枫林社区", code="t-b-1")
    o.grid_a1 = OrgUnitFactory(parent=o.community_a1, name="第一网格", code="t-a-1-g1")
    o.grid_a2 = OrgUnitFactory(parent=o.community_a2, name="第一网格", code="t-a-2-g1")
    o.grid_b1 = OrgUnitFactory(parent=o.community_b1, name="第一网格", code="t-b-1-g1")
    return o


@pytest.fixture
def learner(org):
    worker = WorkerProfileFactory(
        user__username="learner",
        user__name="陈思远",
        user__mobile="13912345678",
        org_unit=org.grid_a1,
        post=Post.GRID_WORKER,
        employee_no="A0001",
        id_number="110101199003071234",
    )
    return worker.user


@pytest.fixture
def other_learner(org):
    worker = WorkerProfileFactory(
        user__username="other-learner",
        user__name="林雨萱",
        user__mobile="13987654321",
        org_unit=org.grid_b1,
        employee_no="B0001",
    )
    return worker.user


@pytest.fixture
def trainer(org):
    return UserFactory(username="trainer", name="周敏", roles=[TRAINER], jurisdiction=org.district)


@pytest.fixture
def reviewer(org):
    return UserFactory(
        username="reviewer", name="郑立华", roles=[REVIEWER], jurisdiction=org.district
    )


@pytest.fixture
def hr_street_a(org):
    return UserFactory(username="hr-a", name="许文静", roles=[HR], jurisdiction=org.street_a)


@pytest.fixture
def hr_street_b(org):
    return UserFactory(username="hr-b", name="孔德胜", roles=[HR], jurisdiction=org.street_b)


@pytest.fixture
def hr_district(org):
    return UserFactory(username="hr-d", name="韩志明", roles=[HR], jurisdiction=org.district)


@pytest.fixture
def district_admin(org):
    return UserFactory(
        username="dist-admin", name="梁国栋", roles=[DISTRICT_ADMIN], jurisdiction=org.district
    )


@pytest.fixture
def admin(db):
    return UserFactory(username="root", name="系统管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for(client):
    """``client_for(user)`` → a test client logged in as ``user`` (None: anonymous)."""

    def _login(user):
        if user is not None:
            client.force_login(user)
        else:
            client.logout()
        return client

    return _login


@pytest.fixture
def site(db):
    """The Wagtail site with its HomePage, as ``seed_demo`` sets it up."""
    from lms.demo import seed

    return seed()


__all__ = ["LEARNER"]
