"""Every write of the courses app. Views, admin, API, tasks and the demo seeder call these.

Contract for higher apps (docs/architecture.md): ``refresh_completion(user, course)`` and
``credit_hours(user, *, source, source_key, hours, earned_on, description, acting_user)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from people.access import can_see_org_unit, sees_everything
from people.models import OrgUnit, User, WorkerProfile

from .completion import extra_requirements
from .models import (
    Assignment,
    Attendance,
    CoursePage,
    CpdEntry,
    CpdSource,
    Enrollment,
    LessonPage,
    LessonProgress,
    Registration,
    SessionKind,
    TrainingSession,
)
from .signals import course_completed, hours_credited

# A check-in code is valid this many seconds after the trainer's screen drew it.
QR_TOKEN_MAX_AGE = getattr(settings, "COURSES_QR_TOKEN_MAX_AGE", 60)
# Learners may check in from this long before the start until the end of a session.
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=30)


class CoursesError(Exception):
    """A refused action, with a message the learner or trainer can read."""

    def __init__(self, message: str, items: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.items = items or []


class EnrolmentRefused(CoursesError):
    pass


class CheckInRefused(CoursesError):
    pass


# --- CPD ledger -------------------------------------------------------------------------------


def credit_hours(
    user: User,
    *,
    source: str,
    source_key: str,
    hours: Decimal | int | float | str,
    earned_on: dt.date,
    description: str,
    acting_user: User | None,
) -> CpdEntry:
    """Write one ledger line; the same ``(user, source, source_key)`` is credited only once.

    Returns the entry (the existing one when this source was already credited). Sends
    ``hours_credited`` only when a new entry is written.
    """
    try:
        amount = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Hours must be a number.")) from exc
    if amount <= 0:
        raise ValidationError(_("Hours must be more than zero."))
    source_key = str(source_key)
    with transaction.atomic():
        existing = CpdEntry.objects.filter(user=user, source=source, source_key=source_key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                entry = CpdEntry.objects.create(
                    user=user,
                    source=source,
                    source_key=source_key,
                    hours=amount,
                    earned_on=earned_on,
                    description=description[:200],
                    created_by=acting_user if getattr(acting_user, "pk", None) else None,
                )
        except IntegrityError:
            # A concurrent writer credited it first: that entry stands.
            return CpdEntry.objects.get(user=user, source=source, source_key=source_key)
        log(
            entry,
            "courses.hours_credited",
            user=acting_user if getattr(acting_user, "pk", None) else None,
            data={"source": source, "source_key": source_key, "hours": str(amount)},
        )
        hours_credited.send(sender=CpdEntry, user=user, entry=entry)
    return entry


# --- Enrolment and progress -------------------------------------------------------------------


def missing_prerequisites(user: User, course: CoursePage) -> list[CoursePage]:
    """Prerequisite courses ``user`` has not completed, in code order."""
    required = list(course.prerequisites.order_by("code"))
    if not required:
        return []
    done = set(
        Enrollment.objects.completed()
        .filter(user=user, course__in=required)
        .values_list("course_id", flat=True)
    )
    return [c for c in required if c.pk not in done]


def enrol(user: User, course: CoursePage, *, acting_user: User) -> Enrollment:
    """Self-enrolment. Refused, with every missing prerequisite named, when not eligible."""
    if not getattr(user, "is_authenticated", False) or acting_user.pk != user.pk:
        raise PermissionDenied
    course = CoursePage.objects.live().filter(pk=course.pk).first()
    if course is None:
        raise EnrolmentRefused(_("This course is not open for enrolment."))
    with transaction.atomic():
        existing = Enrollment.objects.filter(user=user, course=course).first()
        if existing is not None:
            return existing
        missing = missing_prerequisites(user, course)
        if missing:
            raise EnrolmentRefused(
                _("Complete the prerequisite courses first."),
                items=[f"{c.code} {c.title}" for c in missing],
            )
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(
                    user=user, course=course, source=Enrollment.Source.SELF
                )
        except IntegrityError:
            return Enrollment.objects.get(user=user, course=course)
        log(enrollment, "courses.enrolled", user=acting_user, data={"course": course.code})
    return enrollment


@dataclass
class AssignmentResult:
    assignment: Assignment
    created: int
    updated: int
    already_completed: int


def assign_course(
    course: CoursePage,
    *,
    org_unit: OrgUnit,
    due_date: dt.date,
    acting_user: User,
    post: str = "",
) -> AssignmentResult:
    """Enrol every worker in ``org_unit``'s subtree (optionally one post) with a due date.

    Workers already enrolled get the assignment's due date; completed enrolments are left alone.
    """
    if not acting_user.has_perm("courses.assign_course") or not can_see_org_unit(
        acting_user, org_unit
    ):
        raise PermissionDenied
    if not course.live:
        raise ValidationError(_("This course is not published."))
    if due_date < timezone.localdate():
        raise ValidationError(_("The due date cannot be in the past."))
    workers = WorkerProfile.objects.in_subtree(org_unit)
    if post:
        workers = workers.filter(post=post)
    user_ids = list(workers.values_list("user_id", flat=True))
    with transaction.atomic():
        assignment = Assignment.objects.create(
            course=course, org_unit=org_unit, post=post, due_date=due_date, assigned_by=acting_user
        )
        existing = Enrollment.objects.select_for_update().filter(
            course=course, user_id__in=user_ids
        )
        existing_ids = set()
        completed = 0
        open_ids = []
        for enrollment in existing:
            existing_ids.add(enrollment.user_id)
            if enrollment.completed_at:
                completed += 1
            else:
                open_ids.append(enrollment.pk)
        Enrollment.objects.filter(pk__in=open_ids).update(assignment=assignment, due_date=due_date)
        new = [
            Enrollment(
                user_id=uid,
                course=course,
                source=Enrollment.Source.ASSIGNED,
                assignment=assignment,
                due_date=due_date,
            )
            for uid in user_ids
            if uid not in existing_ids
        ]
        Enrollment.objects.bulk_create(new)
        log(
            assignment,
            "courses.assigned",
            user=acting_user,
            data={
                "course": course.code,
                "org_unit": org_unit.code,
                "post": post,
                "due_date": due_date.isoformat(),
                "created": len(new),
                "updated": len(open_ids),
            },
        )
    return AssignmentResult(assignment, len(new), len(open_ids), completed)


def live_lessons(course: CoursePage):
    return LessonPage.objects.child_of(course).live().order_by("path")


def record_visit(user: User, lesson: LessonPage, enrollment: Enrollment) -> None:
    """Remember the lesson a learner opened last, for 继续学习 (resume)."""
    if enrollment.last_lesson_id != lesson.pk:
        Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson)
        enrollment.last_lesson_id = lesson.pk


def complete_lesson(user: User, lesson: LessonPage, *, acting_user: User) -> Enrollment:
    """Mark a lesson done (完成本课) and re-check course completion. Needs an enrolment."""
    if acting_user.pk != user.pk:
        raise PermissionDenied
    lesson = LessonPage.objects.live().filter(pk=lesson.pk).first()
    if lesson is None:
        raise CoursesError(_("This lesson is not available."))
    course = CoursePage.objects.filter(pk=lesson.get_parent().pk).first()
    enrollment = Enrollment.objects.filter(user=user, course=course).first()
    if course is None or enrollment is None:
        raise CoursesError(_("Enrol in the course before completing its lessons."))
    with transaction.atomic():
        _progress, created = LessonProgress.objects.get_or_create(
            user=user, lesson=lesson, defaults={"course": course}
        )
        if created:
            log(
                enrollment,
                "courses.lesson_completed",
                user=acting_user,
                data={"course": course.code, "lesson": lesson.title, "lesson_id": lesson.pk},
            )
        record_visit(user, lesson, enrollment)
        refresh_completion(user, course)
    enrollment.refresh_from_db()
    return enrollment


def refresh_completion(user: User, course: CoursePage) -> bool:
    """Re-check whether ``user`` has completed ``course``; record it once. Returns completed.

    Complete = every live lesson done and every ``extra_requirements(user, course)`` met. On the
    first completion: the date is stored, the course hours are credited and ``course_completed``
    is sent (inside the transaction).
    """
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update().filter(user=user, course_id=course.pk).first()
        )
        if enrollment is None:
            return False
        lesson_ids = list(live_lessons(course).values_list("pk", flat=True))
        done = LessonProgress.objects.filter(user=user, lesson_id__in=lesson_ids).count()
        if enrollment.lessons_done != done:
            enrollment.lessons_done = done
            enrollment.save(update_fields=["lessons_done"])
        if enrollment.completed_at is not None:
            return True
        if not lesson_ids or done < len(lesson_ids):
            return False
        if not all(req.met for req in extra_requirements(user, course)):
            return False
        enrollment.completed_at = timezone.now()
        enrollment.save(update_fields=["completed_at"])
        course = course.specific if not isinstance(course, CoursePage) else course
        log(enrollment, "courses.course_completed", user=user, data={"course": course.code})
        credit_hours(
            user,
            source=CpdSource.COURSE,
            source_key=str(course.pk),
            hours=course.hours,
            earned_on=timezone.localdate(enrollment.completed_at),
            description=f"{course.code} {course.title}",
            acting_user=None,
        )
        course_completed.send(sender=CoursePage, user=user, course=course)
    return True


# --- Offline sessions -------------------------------------------------------------------------


def can_manage_session(user: User, session: TrainingSession) -> bool:
    """The session's trainer, or staff with session rights whose jurisdiction covers it."""
    if sees_everything(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if not user.has_perm("courses.change_trainingsession"):
        return False
    return session.trainer_id == user.pk or can_see_org_unit(user, session.org_unit)


def register_for_session(
    session: TrainingSession, user: User, *, acting_user: User
) -> Registration:
    """A place on the session, or on its waiting list when it is full."""
    if acting_user.pk != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        session = TrainingSession.objects.select_for_update().get(pk=session.pk)
        if session.ends_at <= timezone.now():
            raise CoursesError(_("This session has already ended."))
        registration = Registration.objects.filter(session=session, user=user).first()
        if registration is not None and registration.status != Registration.Status.CANCELLED:
            return registration
        taken = session.registrations.filter(status=Registration.Status.REGISTERED).count()
        status = (
            Registration.Status.REGISTERED
            if taken < session.capacity
            else Registration.Status.WAITLISTED
        )
        if registration is None:
            registration = Registration.objects.create(session=session, user=user, status=status)
        else:
            registration.status = status
            registration.created_at = timezone.now()
            registration.save(update_fields=["status", "created_at"])
        log(registration, "courses.session_registered", user=acting_user, data={"status": status})
    return registration


def cancel_registration(session: TrainingSession, user: User, *, acting_user: User) -> None:
    """Give up a place; the first person on the waiting list moves up."""
    if acting_user.pk != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        session = TrainingSession.objects.select_for_update().get(pk=session.pk)
        registration = (
            Registration.objects.filter(session=session, user=user)
            .exclude(status=Registration.Status.CANCELLED)
            .first()
        )
        if registration is None:
            raise CoursesError(_("You are not registered for this session."))
        was_registered = registration.status == Registration.Status.REGISTERED
        registration.status = Registration.Status.CANCELLED
        registration.save(update_fields=["status"])
        log(registration, "courses.session_cancelled", user=acting_user, data={})
        if was_registered:
            nxt = (
                session.registrations.filter(status=Registration.Status.WAITLISTED)
                .order_by("created_at", "id")
                .first()
            )
            if nxt is not None:
                nxt.status = Registration.Status.REGISTERED
                nxt.save(update_fields=["status"])
                log(nxt, "courses.session_promoted", user=acting_user, data={})


def _signer(session: TrainingSession) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"courses.checkin:{session.pk}:{session.checkin_secret}")


def checkin_token(session: TrainingSession) -> str:
    """A fresh signed token for the trainer's QR code; valid ``QR_TOKEN_MAX_AGE`` seconds."""
    return _signer(session).sign(str(session.pk))


def _credit_attendance(attendance: Attendance, acting_user: User | None) -> None:
    session = attendance.session
    source = "case_sharing" if session.kind == SessionKind.CASE_SHARING else CpdSource.SESSION
    credit_hours(
        attendance.user,
        source=source,
        source_key=str(session.pk),
        hours=session.hours,
        earned_on=timezone.localdate(session.starts_at),
        description=f"{session.get_kind_display()}：{session.title}",
        acting_user=acting_user,
    )


def check_in(token: str, user: User, *, acting_user: User) -> Attendance:
    """Check ``user`` in with a scanned token. Refused (with a reason) when the token is
    forged or expired, outside the session window, or when already checked in."""
    if acting_user.pk != user.pk or not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    token = (token or "").strip()
    session_pk, _sep, _rest = token.partition(":")
    session = (
        TrainingSession.objects.filter(pk=int(session_pk)).first() if session_pk.isdigit() else None
    )
    if session is None:
        raise CheckInRefused(_("This check-in code is not valid."))
    try:
        value = _signer(session).unsign(token, max_age=QR_TOKEN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise CheckInRefused(
            _("This check-in code has expired. Scan the code on the screen again.")
        ) from exc
    except signing.BadSignature as exc:
        raise CheckInRefused(_("This check-in code is not valid.")) from exc
    if value != str(session.pk):
        raise CheckInRefused(_("This check-in code is not valid."))
    now = timezone.now()
    if now < session.starts_at - CHECKIN_OPENS_BEFORE:
        raise CheckInRefused(_("Check-in has not opened yet for this session."))
    if now > session.ends_at:
        raise CheckInRefused(_("This session has ended; check-in is closed."))
    with transaction.atomic():
        if Attendance.objects.filter(session=session, user=user).exists():
            raise CheckInRefused(_("You have already checked in to this session."))
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(
                    session=session, user=user, method=Attendance.Method.QR
                )
        except IntegrityError as exc:
            raise CheckInRefused(_("You have already checked in to this session.")) from exc
        log(attendance, "courses.checked_in", user=acting_user, data={"session": session.pk})
        _credit_attendance(attendance, acting_user)
    return attendance


def mark_attendance(
    session: TrainingSession, user: User, *, reason: str, acting_user: User
) -> Attendance:
    """A trainer records attendance by hand (no phone, failed scan). Reason required, logged."""
    if not acting_user.has_perm("courses.mark_attendance") or not can_manage_session(
        acting_user, session
    ):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise CoursesError(_("Give a reason for marking attendance by hand."))
    if session.starts_at > timezone.now():
        raise CoursesError(_("Attendance can be marked only once the session has started."))
    with transaction.atomic():
        if Attendance.objects.filter(session=session, user=user).exists():
            raise CoursesError(_("This learner is already marked present."))
        attendance = Attendance.objects.create(
            session=session,
            user=user,
            method=Attendance.Method.MANUAL,
            reason=reason[:200],
            marked_by=acting_user,
        )
        log(
            attendance,
            "courses.attendance_marked",
            user=acting_user,
            data={"session": session.pk, "learner": user.pk, "reason": reason[:200]},
        )
        _credit_attendance(attendance, acting_user)
    return attendance
