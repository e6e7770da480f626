"""Learner and trainer views of courses and offline sessions."""

from __future__ import annotations

import io
from decimal import Decimal

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import ListView
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from people.roles import STAFF_ROLES, roles_of

from . import services
from .access import (
    cohort_enrollments_for,
    get_managed_session_for,
    get_session_for,
    manageable_sessions,
    sessions_visible_to,
)
from .completion import extra_requirements
from .forms import AssignForm, ManualAttendanceForm
from .models import (
    STATUS_LABELS,
    Attendance,
    CoursePage,
    CpdEntry,
    Enrollment,
    LessonPage,
    LessonProgress,
    Registration,
    TrainingSession,
)

# --- Course and lesson pages (called from the page models) ------------------------------------


def _is_staff_viewer(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or roles_of(user) & STAFF_ROLES))


def course_page_context(course: CoursePage, request) -> dict:
    user = request.user
    lessons = list(services.live_lessons(course).only("id", "title", "path", "url_path", "depth"))
    enrollment = None
    done_ids: set[int] = set()
    missing = []
    requirements = []
    if user.is_authenticated:
        enrollment = Enrollment.objects.filter(user=user, course=course).first()
        if enrollment is not None:
            done_ids = set(
                LessonProgress.objects.filter(user=user, course=course).values_list(
                    "lesson_id", flat=True
                )
            )
            requirements = extra_requirements(user, course)
        else:
            missing = services.missing_prerequisites(user, course)
    for lesson in lessons:
        lesson.is_done = lesson.pk in done_ids
    total = len(lessons)
    done = sum(1 for lesson in lessons if lesson.is_done)
    sessions = list(
        TrainingSession.objects.filter(course=course, ends_at__gte=timezone.now()).order_by(
            "starts_at"
        )[:5]
    )
    return {
        "lessons": lessons,
        "enrollment": enrollment,
        "done_count": done,
        "lesson_count": total,
        "percent": int(done * 100 / total) if total else 0,
        "missing_prerequisites": missing,
        "prerequisites": list(course.prerequisites.order_by("code")),
        "requirements": requirements,
        "upcoming_sessions": sessions,
    }


def lesson_gate(lesson: LessonPage, request):
    """Lessons are for enrolled learners (and staff previewing); everyone else is sent on."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if _is_staff_viewer(user):
        return None
    parent = lesson.get_parent()
    if not Enrollment.objects.filter(user=user, course_id=parent.pk).exists():
        messages.info(request, _("Enrol in the course to open its lessons."))
        return redirect(parent.url)
    return None


def lesson_page_context(lesson: LessonPage, request) -> dict:
    user = request.user
    parent = lesson.get_parent()  # the specific course when routed (CoursePage.route)
    course = parent if isinstance(parent, CoursePage) else CoursePage.objects.get(pk=parent.pk)
    siblings = list(services.live_lessons(course).only("id", "title", "path", "url_path"))
    index = next((i for i, s in enumerate(siblings) if s.pk == lesson.pk), 0)
    enrollment = None
    is_done = False
    if user.is_authenticated:
        enrollment = Enrollment.objects.filter(user=user, course=course).first()
        if enrollment is not None:
            is_done = LessonProgress.objects.filter(user=user, lesson=lesson).exists()
            services.record_visit(user, lesson, enrollment)
    return {
        "course": course,
        "enrollment": enrollment,
        "is_done": is_done,
        "position": index + 1,
        "lesson_count": len(siblings),
        "previous_lesson": siblings[index - 1] if index > 0 else None,
        "next_lesson": siblings[index + 1] if index + 1 < len(siblings) else None,
    }


def _live_course(pk) -> CoursePage:
    course = CoursePage.objects.live().filter(pk=pk).first()
    if course is None:
        raise Http404
    return course


@login_required
@require_POST
def enrol(request, pk):
    course = _live_course(pk)
    try:
        services.enrol(request.user, course, acting_user=request.user)
    except services.EnrolmentRefused as exc:
        text = exc.message
        if exc.items:
            missing_label = _("Missing:")
            text = f"{text} {missing_label}" + "；".join(exc.items)
        messages.error(request, text)
        return redirect(course.url)
    messages.success(request, _("You are enrolled. Start with the first lesson."))
    return redirect(course.url)


@login_required
@require_POST
def complete_lesson(request, pk):
    lesson = LessonPage.objects.live().filter(pk=pk).first()
    if lesson is None:
        raise Http404
    try:
        enrollment = services.complete_lesson(request.user, lesson, acting_user=request.user)
    except services.CoursesError as exc:
        messages.error(request, exc.message)
        return redirect(lesson.get_parent().url)
    course = enrollment.course
    if enrollment.completed_at:
        messages.success(
            request,
            _("Course completed: %(hours)s hours have been added to your record.")
            % {"hours": course.hours},
        )
        return redirect(course.url)
    nxt = services.live_lessons(course).filter(path__gt=lesson.path).first()
    messages.success(request, _("Lesson completed."))
    return redirect(nxt.url if nxt else course.url)


@login_required
def resume(request, pk):
    """继续学习: the last lesson opened, else the first lesson not done, else the first."""
    course = _live_course(pk)
    enrollment = Enrollment.objects.filter(user=request.user, course=course).first()
    if enrollment is None:
        return redirect(course.url)
    lessons = services.live_lessons(course)
    if enrollment.last_lesson_id and lessons.filter(pk=enrollment.last_lesson_id).exists():
        return redirect(lessons.get(pk=enrollment.last_lesson_id).url)
    done = LessonProgress.objects.filter(user=request.user, course=course).values("lesson_id")
    target = lessons.exclude(pk__in=done).first() or lessons.first()
    return redirect(target.url if target else course.url)


@login_required
def my_learning(request):
    """My courses (assigned ones with due dates first) and my CPD-hours ledger by year."""
    enrollments = list(
        Enrollment.objects.filter(user=request.user, course__live=True)
        .select_related("course")
        .order_by("completed_at", "due_date", "-enrolled_at")
    )
    entries = list(CpdEntry.objects.filter(user=request.user).order_by("-earned_on", "-id"))
    totals = (
        CpdEntry.objects.filter(user=request.user)
        .annotate(year=ExtractYear("earned_on"))
        .values("year")
        .annotate(total=Sum("hours"))
        .order_by("-year")
    )
    return render(
        request,
        "courses/my_learning.html",
        {"enrollments": enrollments, "entries": entries, "yearly_totals": list(totals)},
    )


# --- Assignment and cohort progress (trainers, admins, HR) -----------------------------------


@login_required
def assign(request):
    if not request.user.has_perm("courses.assign_course"):
        raise PermissionDenied
    form = AssignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.assign_course(
                data["course"],
                org_unit=data["org_unit"],
                post=data["post"],
                due_date=data["due_date"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Assigned %(course)s to %(unit)s: %(created)s new enrolments, %(updated)s "
                    "existing updated, %(done)s already completed."
                )
                % {
                    "course": data["course"].code,
                    "unit": data["org_unit"].name,
                    "created": result.created,
                    "updated": result.updated,
                    "done": result.already_completed,
                },
            )
            query = urlencode({"course": data["course"].pk})
            return redirect(f"{reverse('courses:cohort')}?{query}")
    return render(request, "courses/assign.html", {"form": form})


class CohortView(SpreadsheetExportMixin, ListView):
    """Who is behind, overdue or done, for the workers in my jurisdiction; CSV/XLSX export."""

    template_name = "courses/cohort.html"
    paginate_by = 50
    list_export = [
        "user.worker.employee_no",
        "user.name",
        "user.worker.org_unit.full_name",
        "course.code",
        "course.title",
        "source",
        "due_date",
        "lessons_done",
        "completed_on",
        "status_label",
    ]
    export_filename = "cohort-progress"

    @property
    def export_headings(self):
        return {
            "user.worker.employee_no": _("Employee number"),
            "user.name": _("Name"),
            "user.worker.org_unit.full_name": _("Org unit"),
            "course.code": _("Course code"),
            "course.title": _("Course"),
            "source": _("Source"),
            "due_date": _("Due date"),
            "lessons_done": _("Lessons done"),
            "completed_on": _("Completed on"),
            "status_label": _("Status"),
        }

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("courses.view_cohort_progress"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        from .filters import CohortFilterSet

        self.filterset = CohortFilterSet(
            self.request.GET or None,
            queryset=cohort_enrollments_for(self.request.user).order_by(
                "course__code", "user__worker__org_unit__path", "user__name"
            ),
            request=self.request,
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context.update(
            {
                "filter": self.filterset,
                "query_string": query.urlencode(),
                "csv_url": self.csv_export_url,
                "xlsx_url": self.xlsx_export_url,
            }
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        if self.is_export:
            return self.as_spreadsheet(self.object_list, self.request.GET.get("export"))
        return super().render_to_response(context, **response_kwargs)

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        row["source"] = item.get_source_display()
        return row


# --- Offline sessions -------------------------------------------------------------------------


@login_required
def session_list(request):
    now = timezone.now()
    visible = sessions_visible_to(request.user).distinct()
    upcoming = list(visible.filter(ends_at__gte=now).order_by("starts_at")[:50])
    past = list(visible.filter(ends_at__lt=now).order_by("-starts_at")[:20])
    mine = dict(
        Registration.objects.filter(user=request.user)
        .exclude(status=Registration.Status.CANCELLED)
        .values_list("session_id", "status")
    )
    attended = set(
        Attendance.objects.filter(user=request.user).values_list("session_id", flat=True)
    )
    for s in upcoming + past:
        s.my_status = mine.get(s.pk, "")
        s.attended = s.pk in attended
    return render(
        request,
        "courses/session_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "can_manage": manageable_sessions(request.user).exists(),
        },
    )


@login_required
def session_detail(request, pk):
    session = get_session_for(request.user, pk)
    registration = (
        Registration.objects.filter(session=session, user=request.user)
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    attendance = Attendance.objects.filter(session=session, user=request.user).first()
    taken = session.registrations.filter(status=Registration.Status.REGISTERED).count()
    waiting = session.registrations.filter(status=Registration.Status.WAITLISTED).count()
    return render(
        request,
        "courses/session_detail.html",
        {
            "session": session,
            "registration": registration,
            "attendance": attendance,
            "taken": taken,
            "waiting": waiting,
            "cases": _session_cases(session),
            "can_manage": services.can_manage_session(request.user, session),
        },
    )


def _session_cases(session):
    cases = getattr(session, "cases", None)
    return list(cases.live()) if cases is not None and hasattr(cases, "live") else []


@login_required
@require_POST
def session_register(request, pk):
    session = get_session_for(request.user, pk)
    try:
        registration = services.register_for_session(
            session, request.user, acting_user=request.user
        )
    except services.CoursesError as exc:
        messages.error(request, exc.message)
    else:
        if registration.status == Registration.Status.REGISTERED:
            messages.success(request, _("You have a place on this session."))
        else:
            messages.info(
                request,
                _(
                    "The session is full: you are on the waiting list and move up when a place frees."
                ),
            )
    return redirect("courses:session_detail", pk=session.pk)


@login_required
@require_POST
def session_cancel(request, pk):
    session = get_session_for(request.user, pk)
    try:
        services.cancel_registration(session, request.user, acting_user=request.user)
    except services.CoursesError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("courses:session_detail", pk=session.pk)


@login_required
def session_manage(request, pk):
    session = get_managed_session_for(request.user, pk)
    registrations = list(
        session.registrations.exclude(status=Registration.Status.CANCELLED).select_related(
            "user", "user__worker__org_unit"
        )
    )
    attendances = {a.user_id: a for a in session.attendances.select_related("user", "marked_by")}
    learners = [r.user for r in registrations if r.user_id not in attendances]
    form = ManualAttendanceForm(request.POST or None, learners=learners)
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_attendance(
                session,
                form.cleaned_data["learner"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except services.CoursesError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Attendance recorded and hours credited."))
            return redirect("courses:session_manage", pk=session.pk)
    for r in registrations:
        r.attendance = attendances.get(r.user_id)
    walk_ins = [
        a for uid, a in attendances.items() if uid not in {r.user_id for r in registrations}
    ]
    return render(
        request,
        "courses/session_manage.html",
        {
            "session": session,
            "registrations": registrations,
            "walk_ins": walk_ins,
            "attendance_count": len(attendances),
            "form": form,
            "can_mark": request.user.has_perm("courses.mark_attendance"),
        },
    )


@login_required
def session_qr(request, pk):
    """The trainer's screen: a QR code that renews itself every 20 seconds."""
    session = get_managed_session_for(request.user, pk)
    return render(
        request,
        "courses/session_qr.html",
        {"session": session, "max_age": services.QR_TOKEN_MAX_AGE},
    )


@never_cache
@login_required
def session_qr_svg(request, pk):
    session = get_managed_session_for(request.user, pk)
    token = services.checkin_token(session)
    url = request.build_absolute_uri(reverse("courses:checkin") + "?" + urlencode({"t": token}))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@login_required
def checkin(request):
    """Where the QR code leads: confirm, then check in (token verified on POST)."""
    token = (request.POST.get("t") or request.GET.get("t") or "")[:300]
    if request.method == "POST":
        try:
            attendance = services.check_in(token, request.user, acting_user=request.user)
        except services.CheckInRefused as exc:
            return render(
                request, "courses/checkin.html", {"error": exc.message, "token": ""}, status=400
            )
        return render(request, "courses/checkin.html", {"attendance": attendance})
    session_pk = token.partition(":")[0]
    session = (
        TrainingSession.objects.filter(pk=int(session_pk)).first() if session_pk.isdigit() else None
    )
    return render(request, "courses/checkin.html", {"token": token, "session": session})


# --- helpers for dashboards ------------------------------------------------------------------


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, ""))


def hours_this_year(user) -> Decimal:
    year = timezone.localdate().year
    total = CpdEntry.objects.filter(user=user, earned_on__year=year).aggregate(t=Sum("hours"))["t"]
    return total or Decimal("0")
