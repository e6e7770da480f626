"""factory_boy factories for people. Tests and the demo seeder use them."""

import datetime as dt

import factory

from .models import Education, OrgLevel, OrgUnit, Post, User, WorkerProfile
from .roles import LEARNER, assign_role

LEVEL_ORDER = [OrgLevel.CITY, OrgLevel.DISTRICT, OrgLevel.STREET, OrgLevel.COMMUNITY, OrgLevel.GRID]


class OrgUnitFactory(factory.django.DjangoModelFactory):
    """``OrgUnitFactory(parent=unit)`` adds a child one level below ``unit``."""

    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"unit-{n}")
    level = OrgLevel.CITY

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return model_class.add_root(**kwargs)
        if "level" not in kwargs or kwargs["level"] == OrgLevel.CITY:
            kwargs["level"] = LEVEL_ORDER[parent.depth]
        return parent.add_child(**kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                assign_role(self, role)
        if create:
            self.save()


class WorkerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerProfile

    user = factory.SubFactory(UserFactory, roles=[LEARNER])
    employee_no = factory.Sequence(lambda n: f"W{n:05d}")
    org_unit = factory.LazyFunction(lambda: OrgUnitFactory())
    post = Post.GRID_WORKER
    grade = 3
    service_start_date = dt.date(2020, 3, 1)
    education = Education.COLLEGE
