"""Course and lesson pages, enrolment, progress, the CPD-hours ledger and offline sessions."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from casebank.models import route_to_child
from people.models import OrgUnit, Post

from .blocks import LessonBodyBlock


class Tier(models.TextChoices):
    T0 = "T0", _("T0 Probationer (见习)")
    T1 = "T1", _("T1 Frontline (一线)")
    T2 = "T2", _("T2 Backbone (骨干)")
    T3 = "T3", _("T3 Leader (正职)")
    T4 = "T4", _("T4 Mentor (导师)")


class Category(models.TextChoices):
    POLICY = "policy", _("Policy and law (政策法规)")
    MEDIATION = "mediation", _("Mediation (矛盾调解)")
    REQUESTS = "requests", _("Request handling (接诉即办)")
    EMERGENCY = "emergency", _("Emergency response (应急处突)")
    SERVICE = "service", _("Serving residents (服务群众)")
    DIGITAL = "digital", _("Digital tools (数字工具)")


class Delivery(models.TextChoices):
    ONLINE = "online", _("Online (线上)")
    OFFLINE = "offline", _("Offline (线下)")
    BLENDED = "blended", _("Blended (混合)")


class CourseIndexPage(Page):
    """The course catalogue at ``/courses/``: filters, search and every learner's status.

    Editors only change the introduction; courses are its children.
    """

    intro = RichTextField(_("introduction"), blank=True)

    parent_page_types = ["lms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("course catalogue")

    def route(self, request, path_components):
        return route_to_child(self, CoursePage, request, path_components)

    def get_context(self, request, *args, **kwargs):
        from .catalogue import catalogue_context

        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue_context(self, request))
        return context


class CoursePageForm(WagtailAdminPageForm):
    """Shows target posts as checkboxes; stores them as ``,post,post,`` so filters can match."""

    target_posts_choice = forms.MultipleChoiceField(
        label=_("target posts"),
        choices=Post.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty when the course suits every post."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_posts_choice"].initial = self.instance.target_post_list

    def clean(self):
        cleaned = super().clean()
        prerequisites = cleaned.get("prerequisites") or []
        if self.instance.pk and any(c.pk == self.instance.pk for c in prerequisites):
            self.add_error("prerequisites", _("A course cannot be its own prerequisite."))
        return cleaned

    def save(self, commit=True):
        self.instance.target_posts = encode_posts(self.cleaned_data.get("target_posts_choice"))
        return super().save(commit=commit)


def encode_posts(posts) -> str:
    posts = [p for p in (posts or []) if p]
    return f",{','.join(posts)}," if posts else ""


class CoursePage(Page):
    """One course of the catalogue (e.g. MED-101). Its children are the lessons, in order.

    Trainers set the code, tier, category, hours, delivery and prerequisites here; completing
    every lesson (and any exam that assessments attaches) completes the course and credits its
    hours to the CPD ledger.
    """

    code = models.CharField(_("course code"), max_length=20, unique=True)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, default=Tier.T0)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    hours = models.DecimalField(
        _("hours (学时)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    delivery = models.CharField(
        _("delivery"), max_length=8, choices=Delivery.choices, default=Delivery.ONLINE
    )
    summary = models.TextField(_("summary"), blank=True, max_length=400)
    objectives = RichTextField(_("learning objectives"), blank=True)
    target_posts = models.CharField(_("target posts"), max_length=120, blank=True, editable=False)
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage",
        verbose_name=_("prerequisites"),
        blank=True,
        symmetrical=False,
        related_name="required_by",
        help_text=_("Courses a learner must have completed before enrolling."),
    )

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]
    base_form_class = CoursePageForm

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("code"),
                FieldPanel("tier"),
                FieldPanel("category"),
                FieldPanel("hours"),
                FieldPanel("delivery"),
                FieldPanel("target_posts_choice"),
            ],
            heading=_("Catalogue"),
        ),
        FieldPanel("summary"),
        FieldPanel("objectives"),
        FieldPanel("prerequisites", widget=forms.CheckboxSelectMultiple),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("code"),
        index.SearchField("summary"),
        index.FilterField("tier"),
        index.FilterField("category"),
    ]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def route(self, request, path_components):
        return route_to_child(self, LessonPage, request, path_components)

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def target_post_list(self) -> list[str]:
        return [p for p in (self.target_posts or "").split(",") if p]

    @property
    def target_post_labels(self) -> list[str]:
        labels = dict(Post.choices)
        return [str(labels.get(p, p)) for p in self.target_post_list]

    def get_context(self, request, *args, **kwargs):
        from .views import course_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(course_page_context(self, request))
        return context


class LessonPage(Page):
    """One lesson of a course: teaching text, media, key points, cases and an activity slot.

    Learners press 完成本课 at the end; the course remembers the last lesson they opened.
    """

    summary = models.CharField(_("summary"), max_length=200, blank=True)
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=20)
    body = StreamField(LessonBodyBlock(), verbose_name=_("body"), blank=True)

    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("minutes"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def serve(self, request, *args, **kwargs):
        from .views import lesson_gate

        refusal = lesson_gate(self, request)
        if refusal is not None:
            return refusal
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .views import lesson_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_page_context(self, request))
        return context


class Assignment(models.Model):
    """A trainer assigned a course to everyone in an org unit (optionally one post)."""

    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="+"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+"
    )
    post = models.CharField(_("post"), max_length=12, choices=Post.choices, blank=True)
    due_date = models.DateField(_("due date"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.course} → {self.org_unit}"


class EnrollmentQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(completed_at__isnull=False)

    def open(self):
        return self.filter(completed_at__isnull=True)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)


class Enrollment(models.Model):
    """A learner on a course: self-enrolled or assigned, with progress and completion."""

    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        ASSIGNED = "assigned", _("Assigned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="enrollments"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrollments"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    last_lesson = models.ForeignKey(
        LessonPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lessons_done = models.PositiveSmallIntegerField(_("lessons done"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-enrolled_at"]
        permissions = [
            ("assign_course", "Can assign courses to org units"),
            ("view_cohort_progress", "Can view cohort progress"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="one_enrollment_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.course}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    @property
    def is_overdue(self) -> bool:
        return (
            self.completed_at is None
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )

    @property
    def status(self) -> str:
        if self.completed_at:
            return "completed"
        if self.is_overdue:
            return "overdue"
        if self.lessons_done:
            return "in_progress"
        return "not_started"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def completed_on(self):
        return timezone.localdate(self.completed_at) if self.completed_at else None


STATUS_LABELS = {
    "completed": _("Completed"),
    "overdue": _("Overdue"),
    "in_progress": _("In progress"),
    "not_started": _("Not started"),
    "not_enrolled": _("Not enrolled"),
}


class LessonProgress(models.Model):
    """A learner pressed 完成本课 on a lesson. Written once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="progress")
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_progress_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.lesson_id}"


class CpdSource(models.TextChoices):
    """Known sources of hours. Higher apps may write other source keys through the service."""

    COURSE = "course", _("Course completed")
    SESSION = "session", _("Offline session attended")
    OTHER = "other", _("Other")


class CpdEntry(models.Model):
    """One line of the CPD-hours ledger (学时台账). Written only by ``services.credit_hours``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="cpd_entries",
    )
    source = models.CharField(_("source"), max_length=30)
    source_key = models.CharField(_("source key"), max_length=100)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    earned_on = models.DateField(_("earned on"))
    description = models.CharField(_("description"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("CPD hours entry")
        verbose_name_plural = _("CPD hours ledger")
        ordering = ["-earned_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "source", "source_key"], name="cpd_once_per_source"
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="cpd_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.hours}h {self.description}"

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS.get(self.source, self.source))


SOURCE_LABELS = {
    **dict(CpdSource.choices),
    "case_sharing": _("Case-sharing session attended"),
}


class SessionKind(models.TextChoices):
    TRAINING = "training", _("Offline training (线下培训)")
    FIELD_VISIT = "field_visit", _("Field teaching (现场教学)")
    DRILL = "drill", _("Emergency drill (应急演练)")
    CASE_SHARING = "case_sharing", _("Case-sharing session (案例分享会)")


class TrainingBase(models.TextChoices):
    PARTY_SCHOOL = "party_school", _("Party school (党校)")
    UNIVERSITY = "university", _("University (高校)")
    VOCATIONAL = "vocational", _("Vocational college (职业院校)")
    COMMUNITY = "community", _("Community site (社区现场)")


def _new_secret() -> str:
    return secrets.token_urlsafe(24)


class TrainingSession(models.Model):
    """An offline session learners register for and check in to with a rotating QR code.

    One mechanism for every kind: training, field teaching, drills and case-sharing sessions.
    Attendance credits ``hours`` to the CPD ledger.
    """

    kind = models.CharField(
        _("kind"), max_length=14, choices=SessionKind.choices, default=SessionKind.TRAINING
    )
    title = models.CharField(_("title"), max_length=120)
    course = models.ForeignKey(
        CoursePage,
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text=_("Required except for case-sharing sessions."),
    )
    training_base = models.CharField(
        _("training base"), max_length=14, choices=TrainingBase.choices
    )
    address = models.CharField(_("address"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    hours = models.DecimalField(
        _("hours credited"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        on_delete=models.PROTECT,
        related_name="trained_sessions",
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organised by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Staff whose jurisdiction covers this unit can manage the session."),
    )
    description = models.TextField(_("description"), blank=True)
    cases = models.ManyToManyField(
        "casebank.CasePage",
        verbose_name=_("cases presented"),
        related_name="sharing_sessions",
        blank=True,
    )
    checkin_secret = models.CharField(max_length=64, default=_new_secret, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("offline session")
        verbose_name_plural = _("offline sessions")
        ordering = ["starts_at"]
        permissions = [("mark_attendance", "Can mark attendance by hand")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind="case_sharing") | Q(course__isnull=False),
                name="session_course_unless_case_sharing",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.kind != SessionKind.CASE_SHARING and not self.course_id:
            errors["course"] = _("Choose the course this session belongs to.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The session must end after it starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()


class Registration(models.Model):
    """A learner's place on a session, or on its waiting list."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_registrations"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_registration_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.session_id} ({self.status})"


class Attendance(models.Model):
    """A learner attended a session: by QR check-in, or marked by hand with a reason."""

    class Method(models.TextChoices):
        QR = "qr", _("QR check-in")
        MANUAL = "manual", _("Marked by hand")

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_attendances"
    )
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["checked_in_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_attendance_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.session_id} ({self.method})"
