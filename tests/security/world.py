"""Objects inside and outside each persona's reach, built through the apps' own services and
factories. Labels used by the rules (tests/security/rules.py):

* ``a``  belongs to 柳岸街道 (street A): the ``learner``'s own object, or an object of that street;
* ``b``  belongs to 枫林街道 (street B): the ``other_learner``'s own object, or of that street;
* ``x``  belongs to a unit outside the district (远郊区): nobody but a superuser may reach it;
* ``g``  a global object everybody signed in may use (a published course, exam, scenario…).

Each group of objects is built lazily, the first time a rule asks for it, so a rule only needs
the apps it tests.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from people.factories import OrgUnitFactory, UserFactory, WorkerProfileFactory
from people.roles import TRAINER


class World:
    def __init__(self, org, personas: dict, site):
        self.org = org
        self.p = personas
        self.site = site

    # --- people --------------------------------------------------------------------------------
    @cached_property
    def outside_unit(self):
        district = OrgUnitFactory(parent=self.org.city, name="远郊区", code="t-far")
        street = OrgUnitFactory(parent=district, name="远郊街道", code="t-far-s")
        community = OrgUnitFactory(parent=street, name="远郊社区", code="t-far-c")
        return OrgUnitFactory(parent=community, name="第一网格", code="t-far-g")

    @cached_property
    def outsider(self):
        """A worker outside the district: the ``x`` person."""
        return WorkerProfileFactory(
            user__username="outsider", user__name="远方来", org_unit=self.outside_unit
        ).user

    @cached_property
    def users(self) -> dict:
        return {"a": self.p["learner"], "b": self.p["other_learner"], "x": self.outsider}

    @cached_property
    def workers(self) -> dict:
        return {label: user.worker for label, user in self.users.items()}

    @cached_property
    def units(self) -> dict:
        return {"a": self.org.grid_a1, "b": self.org.grid_b1, "x": self.outside_unit}

    @cached_property
    def login_locks(self) -> dict:
        from people.models import LoginLock

        return {
            label: LoginLock.objects.create(
                identifier=user.username,
                user=user,
                failures=5,
                window_started_at=dt.datetime.now(dt.UTC),
                locked_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15),
            )
            for label, user in self.users.items()
        }

    # --- courses -------------------------------------------------------------------------------
    @cached_property
    def course(self):
        from courses.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory

        index = CourseIndexPageFactory(parent=self.site)
        course = CoursePageFactory(parent=index, code="SEC-101", title="安全测试课程")
        LessonPageFactory(parent=course, title="第一课", slug="sec-lesson")
        return course

    @cached_property
    def lesson(self):
        from courses.services import live_lessons

        return live_lessons(self.course).first()

    @cached_property
    def sessions(self) -> dict:
        from courses.factories import TrainingSessionFactory

        other_trainer = UserFactory(username="far-trainer", roles=[TRAINER])
        make = TrainingSessionFactory
        return {
            "a": make(course=self.course, trainer=self.p["trainer"], org_unit=self.org.street_a),
            "b": make(course=self.course, trainer=other_trainer, org_unit=self.org.street_b),
            "x": make(
                course=self.course, trainer=other_trainer, org_unit=self.outside_unit.get_parent()
            ),
        }

    # --- casebank ------------------------------------------------------------------------------
    @cached_property
    def case(self):
        from casebank.factories import build_case, publish
        from casebank.models import CaseIndexPage

        index = CaseIndexPage(title="社区工作法案例库", slug="sec-cases")
        self.site.add_child(instance=index)
        index.save_revision().publish()
        case = build_case(index, title="楼道堆物劝导", owner=self.p["trainer"])
        return publish(case)

    # --- assessments ---------------------------------------------------------------------------
    @cached_property
    def exam(self):
        from assessments.factories import ExamFactory, QuestionFactory
        from assessments.models import QuestionType

        questions = [
            QuestionFactory(code="SEC-Q1", qtype=QuestionType.SINGLE),
            QuestionFactory(code="SEC-Q2", qtype=QuestionType.SHORT_ANSWER, points=6),
        ]
        return ExamFactory(code="EX-SEC", title="安全测试考试", questions=questions)

    @cached_property
    def attempts(self) -> dict:
        from assessments.services import start_attempt

        return {
            label: start_attempt(self.exam, acting_user=user)[0]
            for label, user in self.users.items()
        }

    @cached_property
    def questions(self) -> dict:
        return {label: a.items.order_by("position").first() for label, a in self.attempts.items()}

    @cached_property
    def marking_items(self) -> dict:
        """Submitted attempts' short answers waiting for a marker."""
        from assessments.services import save_answer, submit_attempt

        items = {}
        for label, attempt in self.attempts.items():
            short = attempt.items.get(snapshot__type="short_answer")
            save_answer(
                attempt,
                short.question_id,
                "先倾听，再讲法，最后回访。",
                1,
                acting_user=attempt.user,
            )
            submit_attempt(attempt, acting_user=attempt.user)
            short.refresh_from_db()
            items[label] = short
        return items

    # --- simulations ---------------------------------------------------------------------------
    @cached_property
    def scenario(self):
        from assessments.simulations.models import Scenario
        from assessments.simulations.scenarios import SCENARIOS, build

        scenario = build(SCENARIOS[0])
        scenario.save()
        scenario.save_revision().publish()
        return Scenario.objects.get(pk=scenario.pk)

    @cached_property
    def runs(self) -> dict:
        from assessments.simulations.services import start_run

        return {
            label: start_run(self.scenario, acting_user=user)[0]
            for label, user in self.users.items()
        }

    # --- certification -------------------------------------------------------------------------
    @cached_property
    def certificates(self) -> dict:
        from certification.models import CertificationLevel
        from certification.services import issue_certificate

        level = CertificationLevel.objects.order_by("rank").first()
        return {
            label: issue_certificate(worker, level, acting_user=None)[0]
            for label, worker in self.workers.items()
        }

    @cached_property
    def reviews(self) -> dict:
        from certification.services import create_grade_review

        root = UserFactory(username="sec-root", is_superuser=True, is_staff=True)
        return {
            label: create_grade_review(
                unit.get_parent().get_parent(), dt.date.today(), acting_user=root
            ).review
            for label, unit in self.units.items()
        }

    # --- certification.hr ---------------------------------------------------------------------
    @cached_property
    def feed_events(self) -> dict:
        from certification.hr.models import FeedEvent

        self.certificates  # noqa: B018  issuing records the events
        return {
            label: FeedEvent.objects.filter(worker=worker).order_by("id").first()
            for label, worker in self.workers.items()
        }

    @cached_property
    def export_jobs(self) -> dict:
        from certification.hr.models import ExportJob

        owners = {"a": self.p["hr_street_a"], "b": self.p["hr_street_b"], "x": self.outsider}
        return {
            label: ExportJob.objects.create(user=user, format="csv", status="done", row_count=0)
            for label, user in owners.items()
        }

    @cached_property
    def api_tokens(self) -> dict:
        from certification.hr.tokens import create_token

        root = UserFactory(username="sec-token-root", is_superuser=True, is_staff=True)
        return {
            label: create_token(f"系统{label}", unit.get_parent(), acting_user=root)[0]
            for label, unit in self.units.items()
        }

    # --- wagtail documents ---------------------------------------------------------------------
    @cached_property
    def documents(self) -> dict:
        """``g`` public to signed-in users (login restriction on its collection)."""
        from django.core.files.base import ContentFile
        from wagtail.documents import get_document_model
        from wagtail.models import Collection, CollectionViewRestriction

        private = Collection.get_first_root_node().add_child(name="内部资料")
        CollectionViewRestriction.objects.create(
            collection=private, restriction_type=CollectionViewRestriction.LOGIN
        )
        doc = get_document_model().objects.create(
            title="培训讲义", collection=private, file=ContentFile(b"doc", name="handout.txt")
        )
        return {"g": doc}


__all__ = ["World"]
