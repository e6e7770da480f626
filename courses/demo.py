"""Demo courses: the 18-course catalogue, enrolments at various stages, offline sessions.

Idempotent: everything is looked up by a stable key (course code, session title, assignment)
before it is created, so a second ``seed_demo`` changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import GroupPagePermission, Page, Site

from people.models import OrgUnit, User, WorkerProfile
from people.roles import TRAINER, group_for

from . import services
from .demo_content import COURSES
from .models import (
    Assignment,
    Attendance,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    LessonPage,
    Registration,
    SessionKind,
    TrainingBase,
    TrainingSession,
)
from .models import encode_posts as _posts


def _index(home: Page) -> CourseIndexPage:
    index = CourseIndexPage.objects.first()
    if index is None:
        index = CourseIndexPage(
            title="课程",
            slug="courses",
            intro="<p>分层分类的社区工作者课程：政策法规、矛盾调解、接诉即办、应急处突、服务群众、数字工具。完成课程自动计入学时。</p>",
        )
        home.add_child(instance=index)
    return index


def _case_for(fragment: str):
    if not apps.is_installed("casebank"):
        return None
    case_model = apps.get_model("casebank", "CasePage")
    return case_model.objects.live().filter(title__contains=fragment).first()


# Lessons that embed a case from the case bank (if casebank seeded it), by course code.
CASE_LINKS = {
    "MED-101": ("三步听诊", "本案例完整展示了受理、检测、背靠背协商和回访的做法。"),
    "REQ-101": ("一张工单", "看社区如何在时限内如实反馈、推动维修资金依法使用。"),
    "EMG-101": ("敲门不应灯却亮", "本案例是独居老人失联处置和“每日一问”机制的完整记录。"),
    "DIG-201": ("民情热力图", "用高频诉求数据推动“未诉先办”的完整做法。"),
    "LDR-301": ("车棚议事会", "议事协商推动楼道充电源头治理的案例。"),
}


def _courses(index: CourseIndexPage) -> dict[str, CoursePage]:
    by_code = {c.code: c for c in CoursePage.objects.all()}
    created = []
    for spec in COURSES:
        if spec["code"] in by_code:
            continue
        course = CoursePage(
            title=spec["title"],
            slug=spec["code"].lower(),
            code=spec["code"],
            tier=spec["tier"],
            category=spec["category"],
            hours=Decimal(spec["hours"]),
            delivery=spec["delivery"],
            target_posts=_posts(spec["posts"]),
            summary=spec["summary"],
            objectives=spec["objectives"],
        )
        index.add_child(instance=course)
        for number, (title, summary, body) in enumerate(spec["lessons"], start=1):
            blocks = list(body)
            link = CASE_LINKS.get(spec["code"])
            if link and number == len(spec["lessons"]):
                case = _case_for(link[0])
                if case is not None:
                    blocks.append(("case", {"case": case, "note": link[1]}))
            course.add_child(
                instance=LessonPage(
                    title=title,
                    slug=f"lesson-{number}",
                    summary=summary,
                    minutes=25,
                    body=blocks,
                )
            )
        by_code[course.code] = course
        created.append((course, spec))
    for course, spec in created:
        if spec["prereqs"]:
            course.prerequisites.set([by_code[c] for c in spec["prereqs"]])
            course.save()
    return by_code


def _trainer_page_permissions(index: CourseIndexPage) -> None:
    """Trainers author the catalogue in the admin: add, edit and publish below /courses/."""
    group = group_for(TRAINER)
    page_type = ContentType.objects.get_for_model(Page)
    for codename in ("add_page", "change_page", "publish_page"):
        permission = Permission.objects.get(content_type=page_type, codename=codename)
        GroupPagePermission.objects.get_or_create(group=group, page=index, permission=permission)


def _learn(user: User, course: CoursePage, lessons: int) -> None:
    """Enrol ``user`` and complete the first ``lessons`` lessons (all: the course completes)."""
    if not Enrollment.objects.filter(user=user, course=course).exists():
        services.enrol(user, course, acting_user=user)
    for lesson in list(LessonPage.objects.child_of(course).live().order_by("path"))[:lessons]:
        services.complete_lesson(user, lesson, acting_user=user)


def _enrolments(courses: dict[str, CoursePage], trainer: User) -> None:
    learner = User.objects.filter(username="demo-learner").first()
    if learner is not None:
        _learn(learner, courses["POL-101"], 99)
        _learn(learner, courses["POL-102"], 99)
        _learn(learner, courses["SVC-101"], 1)
        _learn(learner, courses["MED-101"], 2)
    today = timezone.localdate()
    plan = [
        ("REQ-101", "qc-lj-la-la", "", 30),
        ("EMG-101", "qc-lj-la", "grid_worker", 45),
        ("DIG-102", "qc-lj-fl-fl", "", 20),
    ]
    for code, unit_code, post, days in plan:
        unit = OrgUnit.objects.filter(code=unit_code).first()
        course = courses[code]
        if unit is None or Assignment.objects.filter(course=course, org_unit=unit).exists():
            continue
        services.assign_course(
            course,
            org_unit=unit,
            post=post,
            due_date=today + dt.timedelta(days=days),
            acting_user=trainer,
        )
        # Various stages: some finished, some half-way, some not started.
        enrollments = list(
            Enrollment.objects.filter(course=course, assignment__org_unit=unit)
            .select_related("user")
            .order_by("user__username")
        )
        for i, enrollment in enumerate(enrollments):
            if i % 3 == 0:
                _learn(enrollment.user, course, 99)
            elif i % 3 == 1:
                _learn(enrollment.user, course, 1)
        if code == "DIG-102":
            # A cohort that let the due date pass, so trainers see who is overdue.
            Enrollment.objects.filter(pk__in=[e.pk for e in enrollments], completed_at=None).update(
                due_date=today - dt.timedelta(days=7)
            )


def _sessions(courses: dict[str, CoursePage], trainer: User) -> None:
    district = OrgUnit.objects.filter(code="qc-lj").first()
    street = OrgUnit.objects.filter(code="qc-lj-la").first()
    if district is None or street is None:
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    day = dt.timedelta(days=1)
    specs = [
        {
            "kind": SessionKind.TRAINING,
            "title": "人民调解实务专题班（第3期）",
            "course": courses["MED-101"],
            "training_base": TrainingBase.PARTY_SCHOOL,
            "address": "临江区委党校二楼报告厅",
            "starts_at": now + 10 * day,
            "hours": Decimal("6"),
            "capacity": 3,
            "org_unit": district,
            "description": "围绕人民调解法讲授受理、调查、协议与回访，分组演练邻里漏水纠纷调解。",
        },
        {
            "kind": SessionKind.DRILL,
            "title": "柳岸街道汛前应急疏散演练",
            "course": courses["EMG-101"],
            "training_base": TrainingBase.COMMUNITY,
            "address": "柳岸社区12号楼及地下车库",
            "starts_at": now + 6 * day,
            "hours": Decimal("4"),
            "capacity": 40,
            "org_unit": street,
            "description": "模拟暴雨预警：封闭地下车库入口、堆沙袋防倒灌、独居老人一对一转移、清点人数。",
        },
        {
            "kind": SessionKind.FIELD_VISIT,
            "title": "老旧小区物业协商共治现场教学",
            "course": courses["LDR-301"],
            "training_base": TrainingBase.UNIVERSITY,
            "address": "青川大学公共管理学院及桂园社区",
            "starts_at": now + 14 * day,
            "hours": Decimal("6"),
            "capacity": 25,
            "org_unit": district,
            "description": "上午在高校听专题讲座，下午到桂园社区实地考察电梯更新与维修资金使用的协商过程。",
        },
        {
            "kind": SessionKind.CASE_SHARING,
            "title": "社区工作法案例分享会（秋季）",
            "course": None,
            "training_base": TrainingBase.COMMUNITY,
            "address": "枫林社区党群服务中心多功能厅",
            "starts_at": now + 20 * day,
            "hours": Decimal("3"),
            "capacity": 60,
            "org_unit": district,
            "description": "五位社区工作者分享亲历的社区工作法，现场点评，优秀案例推荐参加区级评审。",
        },
        {
            "kind": SessionKind.TRAINING,
            "title": "新入职社区工作者职业导论集中培训",
            "course": courses["POL-101"],
            "training_base": TrainingBase.VOCATIONAL,
            "address": "青川职业技术学院继续教育楼301",
            "starts_at": now - 60 * day,
            "hours": Decimal("6"),
            "capacity": 50,
            "org_unit": district,
            "description": "职业定位、三岗十八级、廉洁与保密红线。",
        },
        {
            "kind": SessionKind.CASE_SHARING,
            "title": "接诉即办典型案例分享会",
            "course": None,
            "training_base": TrainingBase.COMMUNITY,
            "address": "柳岸社区党群服务中心",
            "starts_at": now - 25 * day,
            "hours": Decimal("2"),
            "capacity": 40,
            "org_unit": street,
            "description": "围绕电梯停运、停水催费等典型工单，交流如实反馈与主动治理的做法。",
        },
    ]
    workers = list(
        WorkerProfile.objects.filter(org_unit__path__startswith=street.path)
        .select_related("user")
        .order_by("employee_no")[:12]
    )
    for spec in specs:
        if TrainingSession.objects.filter(title=spec["title"]).exists():
            continue
        hours = {SessionKind.DRILL: 4, SessionKind.CASE_SHARING: 3}.get(spec["kind"], 6)
        session = TrainingSession.objects.create(
            trainer=trainer, ends_at=spec["starts_at"] + dt.timedelta(hours=hours), **spec
        )
        if spec["kind"] == SessionKind.CASE_SHARING and apps.is_installed("casebank"):
            case_model = apps.get_model("casebank", "CasePage")
            session.cases.set(case_model.objects.live().order_by("path")[:3])
        if session.starts_at > timezone.now():
            # Upcoming: a few registrations; the small 调解 class fills up and has a waiting list.
            for worker in workers[: min(len(workers), session.capacity + 1, 5)]:
                services.register_for_session(session, worker.user, acting_user=worker.user)
        else:
            for worker in workers[:8]:
                Registration.objects.get_or_create(
                    session=session, user=worker.user, defaults={"status": "registered"}
                )
                if not Attendance.objects.filter(session=session, user=worker.user).exists():
                    services.mark_attendance(
                        session, worker.user, reason="签到表补录（纸质签到）", acting_user=trainer
                    )


@transaction.atomic
def seed(stdout=None) -> None:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page if site else None  # the HomePage that lms.demo set up
    trainer = User.objects.filter(username="demo-trainer").first()
    if home is None or trainer is None:
        return
    index = _index(home)
    courses = _courses(index)
    _trainer_page_permissions(index)
    _enrolments(courses, trainer)
    _sessions(courses, trainer)
    if stdout:
        stdout.write(
            f"courses: {CoursePage.objects.count()} courses, {LessonPage.objects.count()} lessons, "
            f"{Enrollment.objects.count()} enrolments, {TrainingSession.objects.count()} sessions"
        )
