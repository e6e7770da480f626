"""Benchmark data on a throwaway database: the demo data, plus what the demo does not (yet) hold.

Call after ``bench.common.setup_django``. Everything goes through the apps' factories and
services, so the benchmarks exercise the same code paths as the site.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

BENCH_EXAM = "BENCH-EX"
SEARCH_WORD = "调解"
SHARED_PASSWORD_HASH: list[str] = []


def migrate_and_seed(*, seed: bool = True) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if seed:
        try:
            call_command("seed_demo", stdout=_Null())
        except Exception as exc:  # another app's demo is broken: seed app by app, skip it
            print(f"   seed_demo failed ({type(exc).__name__}: {exc}); seeding app by app")
            seed_apps_one_by_one()


def seed_apps_one_by_one() -> None:
    """seed_demo's steps, each in its own transaction; a failing app's demo is skipped."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.conf import settings

    from lms import demo as site_demo

    site_demo.seed(stdout=_Null())
    for label in settings.PROJECT_APPS:
        name = f"{label}.demo"
        if label == "lms" or find_spec(name) is None:
            continue
        try:
            with transaction.atomic():
                import_module(name).seed(stdout=_Null())
        except Exception as exc:
            print(f"   demo of {label} skipped: {type(exc).__name__}: {exc}")


class _Null:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


def _password_hash() -> str:
    """One hash shared by the generated learners: hashing 1,000 passwords would take minutes."""
    if not SHARED_PASSWORD_HASH:
        from django.contrib.auth.hashers import make_password

        SHARED_PASSWORD_HASH.append(make_password("bench-pass-2026"))
    return SHARED_PASSWORD_HASH[0]


def make_learners(prefix: str, count: int, *, batch: int = 2000) -> list:
    """``count`` learners (user + worker profile in a demo grid), created in bulk; idempotent."""
    from people.models import OrgUnit, WorkerProfile
    from people.roles import LEARNER, ROLE_GROUP_NAMES

    User = get_user_model()
    names = [f"{prefix}{i:06d}" for i in range(count)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    grid = OrgUnit.objects.filter(level="grid").order_by("path").first() or ensure_org()
    group = Group.objects.get(name=ROLE_GROUP_NAMES[LEARNER])
    missing = [n for n in names if n not in existing]
    pw = _password_hash()
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        with transaction.atomic():
            users = User.objects.bulk_create(
                [User(username=n, name=f"压测学员{n[-6:]}", password=pw) for n in chunk]
            )
            if users and users[0].pk is None:  # SQLite before RETURNING: fetch the ids
                users = list(User.objects.filter(username__in=chunk))
            Group.user_set.through.objects.bulk_create(
                [Group.user_set.through(group_id=group.pk, user_id=u.pk) for u in users]
            )
            WorkerProfile.objects.bulk_create(
                [
                    WorkerProfile(
                        user=u,
                        employee_no=f"B{u.pk:07d}",
                        org_unit=grid,
                        post="grid_worker",
                        grade=3,
                        service_start_date="2021-03-01",
                        education="college",
                    )
                    for u in users
                ]
            )
    return list(User.objects.filter(username__in=names).order_by("username"))


def ensure_org():
    """An org unit for generated workers when the demo tree is not loaded."""
    from people.models import OrgUnit

    unit = OrgUnit.objects.order_by("path").first()
    return unit or OrgUnit.add_root(name="压测市", code="bench-city", level="city")


@dataclass
class Credentials:
    session_id: str
    csrf: str


def sessions_for(users) -> list[Credentials]:
    """A logged-in session per user (as the login view would create) and a CSRF secret."""
    out = []
    for user in users:
        client = Client()
        client.force_login(user)
        out.append(Credentials(client.cookies["sessionid"].value, _get_new_csrf_string()))
    return out


def ensure_course():
    """The first live course with lessons; created with the courses factories if the demo has
    none yet. Returns (index, course, lesson)."""
    from courses.models import CourseIndexPage, CoursePage, LessonPage

    home = apps.get_model("lms", "HomePage").objects.first()
    for course in CoursePage.objects.live().order_by("path"):
        lesson = LessonPage.objects.live().child_of(course).order_by("path").first()
        if lesson is not None:
            index = CourseIndexPage.objects.live().ancestor_of(course).first()
            return index, course, lesson
    from courses.factories import CourseIndexPageFactory, CoursePageFactory, LessonPageFactory

    index = CourseIndexPage.objects.first() or CourseIndexPageFactory(parent=home)
    course = CoursePageFactory(parent=index, title="网格员岗位基础（压测）", slug="bench-course")
    lesson = None
    for n in range(1, 4):
        page = LessonPageFactory(parent=course, title=f"第{n}课", slug=f"bench-lesson-{n}")
        lesson = lesson or page
    return index, course, lesson


def enrol(user, course) -> None:
    from courses import services
    from courses.models import Enrollment

    if not Enrollment.objects.filter(user=user, course=course).exists():
        services.enrol(user, course, acting_user=user)


def ensure_cases():
    """(case index, a live case) from the case-bank demo, or (index, None) when none is live."""
    try:
        from casebank.models import CaseIndexPage, CasePage
    except ImportError:
        return None, None
    index = CaseIndexPage.objects.live().first()
    case = CasePage.objects.live().order_by("path").first()
    return index, case


def ensure_exam(questions: int = 50):
    """A bench exam of ``questions`` single-choice questions, no time limit, unlimited attempts."""
    from assessments.factories import ExamFactory, QuestionFactory

    qs = [
        QuestionFactory(
            code=f"BENCH-Q{n:03d}", text=f"第{n}题：人民调解委员会调解民间纠纷是否收费？"
        )
        for n in range(1, questions + 1)
    ]
    return ExamFactory(
        code=BENCH_EXAM,
        title="压测考试",
        time_limit_minutes=None,
        max_attempts=0,
        questions=qs,
    )


def start_attempts(exam, users) -> list[dict]:
    """Start (or resume) an attempt per user; [{attempt, questions: [(qid, [option ids])]}]."""
    from assessments import services

    out = []
    for user in users:
        attempt, _created = services.start_attempt(exam, acting_user=user)
        items = attempt.items.order_by("position")
        out.append(
            {
                "attempt": attempt.pk,
                "questions": [
                    [i.question_id, [o["id"] for o in i.snapshot.get("options", [])]] for i in items
                ],
            }
        )
    return out


def ensure_scenario():
    try:
        from assessments.simulations.models import Scenario
    except ImportError:
        return None
    return Scenario.objects.filter(live=True).order_by("pk").first()


def demo_learner():
    return get_user_model().objects.get(username="demo-learner")
