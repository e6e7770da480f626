"""factory_boy factories for courses. Tests and the demo seeder use them.

Pages are created under a parent: ``CoursePageFactory(parent=index)``, ``LessonPageFactory(parent=course)``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from people.factories import OrgUnitFactory, UserFactory
from people.roles import TRAINER

from .models import (
    Category,
    CourseIndexPage,
    CoursePage,
    Delivery,
    LessonPage,
    SessionKind,
    Tier,
    TrainingBase,
    TrainingSession,
)


class _PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        page = model_class(**kwargs)
        parent.add_child(instance=page)
        return page


class CourseIndexPageFactory(_PageFactory):
    class Meta:
        model = CourseIndexPage

    title = "课程"
    slug = "courses"


class CoursePageFactory(_PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"测试课程{n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    code = factory.Sequence(lambda n: f"TST-{n:03d}")
    tier = Tier.T0
    category = Category.POLICY
    hours = Decimal("6")
    delivery = Delivery.ONLINE
    summary = "课程简介"


class LessonPageFactory(_PageFactory):
    class Meta:
        model = LessonPage

    title = factory.Sequence(lambda n: f"第{n}课")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    summary = ""
    body = factory.LazyFunction(
        lambda: [("paragraph", "<p>人民调解委员会调解民间纠纷，不收取任何费用。</p>")]
    )


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    kind = SessionKind.TRAINING
    title = factory.Sequence(lambda n: f"线下培训{n}")
    training_base = TrainingBase.PARTY_SCHOOL
    address = "临江区委党校二楼报告厅"
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=3))
    capacity = 30
    hours = Decimal("4")
    trainer = factory.SubFactory(UserFactory, roles=[TRAINER])
    org_unit = factory.LazyFunction(lambda: OrgUnitFactory())
