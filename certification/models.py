"""Certification levels and their rules, certificates and their lifecycle, the salary-grade ladder.

Models stay thin: the rules engine (``rules.py``) and the pay ladder (``ladder.py``) are pure
functions over snapshots; ``services.py`` does every write.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from people.models import SocialWorkQualification, WorkerProfile


class CertificationLevel(ClusterableModel):
    """A platform certification (C0–C3) or badge (M) with the requirements that earn and renew it.

    District admins edit levels and their requirements in the admin; evaluation reads them as a
    snapshot, so a change applies to the next evaluation.
    """

    code = models.SlugField(_("code"), max_length=10, unique=True, help_text=_("e.g. C1"))
    name = models.CharField(_("name"), max_length=60)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=0, help_text=_("Order on the ladder: lower ranks come first.")
    )
    is_badge = models.BooleanField(
        _("badge"), default=False, help_text=_("A badge (such as 导师) sits beside the ladder.")
    )
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"), null=True, blank=True, help_text=_("Empty: never expires.")
    )
    renewable = models.BooleanField(_("renewable"), default=True)
    renewal_window_days = models.PositiveSmallIntegerField(
        _("renewal window (days before expiry)"), default=90
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace period (days after expiry)"),
        default=90,
        help_text=_("Renewal is still possible this many days after expiry."),
    )
    ends_when_next_issued = models.BooleanField(
        _("ends when the next level is issued"),
        default=False,
        help_text=_("Such as 上岗合格 (C0): replaced by C1 once C1 is issued."),
    )
    annual_cpd_hours = models.DecimalField(
        _("CPD hours per year"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        help_text=_("Used by the grade ladder's CPD shortfall rule for holders of this level."),
    )
    auto_issue = models.BooleanField(
        _("issue automatically"), default=True, help_text=_("Issue when the requirements are met.")
    )
    description = models.TextField(_("description"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("name"), FieldPanel("rank")]),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("validity_months"), FieldPanel("is_badge")]),
                FieldRowPanel(
                    [
                        FieldPanel("renewable"),
                        FieldPanel("renewal_window_days"),
                        FieldPanel("grace_days"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("ends_when_next_issued"),
                        FieldPanel("auto_issue"),
                        FieldPanel("annual_cpd_hours"),
                    ]
                ),
            ],
            heading=_("Validity"),
        ),
        InlinePanel("requirements", heading=_("Requirements"), label=_("requirement")),
    ]

    class Meta:
        verbose_name = _("certification level")
        verbose_name_plural = _("certification levels")
        ordering = ["is_badge", "rank", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RequirementKind(models.TextChoices):
    COURSES = "courses", _("Courses completed")
    EXAM = "exam", _("Exam passed with a minimum score")
    SIMULATION = "simulation", _("Simulation passed with no red line")
    CPD_HOURS = "cpd_hours", _("CPD hours in a trailing window")
    ATTENDANCE = "attendance", _("Offline attendance hours")
    SERVICE_YEARS = "service_years", _("Years of service")
    LEVEL_HELD = "level_held", _("Another level held and valid")
    CASE = "case", _("Accepted case at a review level")
    QUALIFICATION = "qualification", _("Social-work qualification")
    NO_RED_LINE = "no_red_line", _("No red-line hit in a trailing window")
    APPRAISAL = "appraisal", _("No 不称职 appraisal in recent years")


class RequirementPurpose(models.TextChoices):
    EARN = "earn", _("To earn")
    RENEW = "renew", _("To renew")


class ReviewLevel(models.TextChoices):
    STREET = "street", _("Street (街道)")
    DISTRICT = "district", _("District (区)")


class LevelRequirement(Orderable):
    """One typed requirement of a level. Which fields matter depends on ``kind``.

    Requirements sharing a non-zero ``choice_group`` are alternatives: the group is met when every
    requirement of at least one ``choice_option`` is met (C2: "C1 held ≥ 2 yrs, or 社会工作师 + C1
    held ≥ 1 yr").
    """

    level = ParentalKey(CertificationLevel, on_delete=models.CASCADE, related_name="requirements")
    purpose = models.CharField(
        _("purpose"), max_length=5, choices=RequirementPurpose.choices, default="earn"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RequirementKind.choices)
    codes = models.CharField(
        _("codes"),
        max_length=300,
        blank=True,
        help_text=_("Course codes (comma-separated), an exam code, or a simulation key (SIM-03)."),
    )
    category = models.CharField(
        _("course category"), max_length=60, blank=True, help_text=_("For 'N of a category'.")
    )
    count = models.PositiveSmallIntegerField(
        _("count"), default=1, help_text=_("N courses of the category, or N accepted cases.")
    )
    min_score = models.DecimalField(
        _("minimum score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    dimension = models.CharField(
        _("dimension"), max_length=10, blank=True, help_text=_("Simulation dimension, e.g. SAF.")
    )
    min_dimension_score = models.DecimalField(
        _("minimum dimension score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, null=True, blank=True)
    window_months = models.PositiveSmallIntegerField(
        _("window (months)"), null=True, blank=True, help_text=_("Trailing window; empty: ever.")
    )
    attendance_kind = models.CharField(
        _("attendance kind"),
        max_length=30,
        blank=True,
        help_text=_("e.g. drill; empty: any offline session."),
    )
    years = models.DecimalField(_("years"), max_digits=4, decimal_places=1, null=True, blank=True)
    other_level = models.ForeignKey(
        CertificationLevel,
        verbose_name=_("level held"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_level = models.CharField(
        _("review level"), max_length=10, choices=ReviewLevel.choices, blank=True
    )
    qualification = models.CharField(
        _("qualification at least"),
        max_length=16,
        choices=SocialWorkQualification.choices,
        blank=True,
    )
    choice_group = models.PositiveSmallIntegerField(_("choice group"), default=0)
    choice_option = models.PositiveSmallIntegerField(_("choice option"), default=0)

    panels = [
        FieldRowPanel([FieldPanel("purpose"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("codes"), FieldPanel("category"), FieldPanel("count")]),
        FieldRowPanel(
            [
                FieldPanel("min_score"),
                FieldPanel("dimension"),
                FieldPanel("min_dimension_score"),
            ]
        ),
        FieldRowPanel(
            [FieldPanel("hours"), FieldPanel("window_months"), FieldPanel("attendance_kind")]
        ),
        FieldRowPanel(
            [
                FieldPanel("years"),
                FieldPanel("other_level"),
                FieldPanel("review_level"),
                FieldPanel("qualification"),
            ]
        ),
        FieldRowPanel([FieldPanel("choice_group"), FieldPanel("choice_option")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")


class Certificate(models.Model):
    """An issued certificate. Never deleted: revocation and renewal are recorded, not erased."""

    worker = models.ForeignKey(
        WorkerProfile,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    level = models.ForeignKey(
        CertificationLevel,
        verbose_name=_("level"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    cycle = models.PositiveSmallIntegerField(_("validity cycle"))
    number = models.CharField(_("certificate number"), max_length=20, unique=True)
    verification_code = models.CharField(_("verification code"), max_length=32, unique=True)
    holder_name = models.CharField(_("holder name"), max_length=50)
    issuing_body = models.CharField(_("issuing body"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    held_since = models.DateField(
        _("held since"), help_text=_("Start of the unbroken chain of renewals.")
    )
    renewal_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewed_by",
        verbose_name=_("renewal of"),
    )
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("superseded by"),
    )
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_reason = models.CharField(_("revocation reason"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    basis = models.JSONField(
        _("basis"), default=list, blank=True, help_text=_("Requirements met at issuance.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "level", "cycle"], name="one_certificate_per_cycle"
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | ~Q(revoked_reason=""),
                name="certificate_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def valid_on(self, day: dt.date) -> bool:
        """Was the certificate valid on ``day``? (Renewed ones stay valid to their expiry.)"""
        if day < self.valid_from:
            return False
        if self.expires_on is not None and day > self.expires_on:
            return False
        if self.revoked_on is not None and day >= self.revoked_on:
            return False
        ended = self.superseded_on is not None and self.level.ends_when_next_issued
        return not (ended and day >= self.superseded_on)

    def status_on(self, day: dt.date | None = None) -> str:
        day = day or timezone.localdate()
        if self.revoked_on is not None and day >= self.revoked_on:
            return CertificateStatus.REVOKED
        if self.superseded_on is not None and day >= self.superseded_on:
            return CertificateStatus.SUPERSEDED
        if self.expires_on is not None and day > self.expires_on:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    @property
    def status(self) -> str:
        return self.status_on()

    def get_status_display(self) -> str:
        return str(CertificateStatus(self.status).label)


class CertificateEvent(models.Model):
    """The status history of a certificate: issued, renewed, superseded, revoked, reminded."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        SUPERSEDED = "superseded", _("Superseded")
        REVOKED = "revoked", _("Revoked")
        REMINDED = "reminded", _("Expiry reminder sent")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate history")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind} {self.on}"


class ExpiryReminder(models.Model):
    """One reminder threshold (90/30/7 days) of one certificate: the row makes it send once."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_on = models.DateField()
    delivered = models.BooleanField(
        default=True, help_text=_("False when a later, more urgent reminder replaced it.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days_before"], name="one_reminder_per_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} −{self.days_before}d"


class Notification(models.Model):
    """An in-site message to one user (shown on the learner home until read)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certification_notices"
    )
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.message


# --- Salary-grade ladder (三岗十八级) ------------------------------------------------------


def _default_post_ranges() -> dict:
    return {"chief": [7, 18], "deputy": [4, 15], "committee": [3, 14], "general": [1, 12],
            "grid_worker": [1, 12]}  # fmt: skip


def _default_degree_years() -> dict:
    return {"bachelor": 3, "master": 5, "doctor": 7}


def _default_qual_bump() -> dict:
    return {"assistant": 1, "social_worker": 2, "senior": 3}


def _default_qual_allowance() -> dict:
    return {"assistant": 300, "social_worker": 500, "senior": 800}


def _default_credit() -> dict:
    return {"excellent": 1.5, "competent": 1.0, "basic": 0.5, "incompetent": 0.0}


def _default_post_ratio() -> dict:
    return {"chief": 1.10, "deputy": 0.95, "committee": 0.90, "general": 0.80,
            "grid_worker": 0.80}  # fmt: skip


def _default_perf() -> dict:
    return {"excellent": 1.2, "competent": 1.0, "basic": 0.6, "incompetent": 0.0}


class PayRuleSet(ClusterableModel):
    """Local parameters of the grade ladder and the pay estimate (domain.md §1, §5(d)).

    The newest active rule set applies. Every number is a default to be replaced by the local
    document; the pay figure it produces is an estimate, never payroll.
    """

    class QualMode(models.TextChoices):
        GRADE_BUMP = "grade_bump", _("Grade bump")
        ALLOWANCE = "allowance", _("Monthly allowance")

    name = models.CharField(_("name"), max_length=80)
    active = models.BooleanField(_("active"), default=True)
    post_ranges = models.JSONField(_("grade range per post"), default=_default_post_ranges)
    step_years = models.PositiveSmallIntegerField(_("years per step"), default=3)
    degree_years = models.JSONField(_("education credit (years)"), default=_default_degree_years)
    qual_mode = models.CharField(
        _("qualification reward"), max_length=12, choices=QualMode.choices, default="grade_bump"
    )
    qual_bump = models.JSONField(_("qualification grade bump"), default=_default_qual_bump)
    qual_allowance = models.JSONField(
        _("qualification allowance (yuan/month)"), default=_default_qual_allowance
    )
    appraisal_credit = models.JSONField(_("appraisal credit"), default=_default_credit)
    cpd_shortfall_cap = models.DecimalField(
        _("credit cap on CPD shortfall"), max_digits=3, decimal_places=1, default=Decimal("0.5")
    )
    cpd_rule_from = models.PositiveSmallIntegerField(
        _("CPD shortfall rule applies from year"),
        default=2026,
        help_text=_("Years before this (before the CPD ledger existed) are not capped."),
    )
    post_ratio = models.JSONField(_("post ratio"), default=_default_post_ratio)
    grade_increment = models.DecimalField(
        _("increment per grade"), max_digits=5, decimal_places=4, default=Decimal("0.025")
    )
    base_share = models.DecimalField(
        _("base pay share"), max_digits=3, decimal_places=2, default=Decimal("0.70")
    )
    performance_factor = models.JSONField(_("performance factor"), default=_default_perf)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("active")]),
        FieldPanel("post_ranges"),
        FieldRowPanel(
            [FieldPanel("step_years"), FieldPanel("cpd_shortfall_cap"), FieldPanel("cpd_rule_from")]
        ),
        FieldPanel("degree_years"),
        FieldPanel("qual_mode"),
        FieldRowPanel([FieldPanel("qual_bump"), FieldPanel("qual_allowance")]),
        FieldPanel("appraisal_credit"),
        MultiFieldPanel(
            [
                FieldPanel("post_ratio"),
                FieldRowPanel([FieldPanel("grade_increment"), FieldPanel("base_share")]),
                FieldPanel("performance_factor"),
            ],
            heading=_("Pay estimate"),
        ),
        InlinePanel("gates", heading=_("Certificate gates per grade band"), label=_("gate")),
    ]

    class Meta:
        verbose_name = _("pay rule set")
        verbose_name_plural = _("pay rule sets")

    def __str__(self) -> str:
        return self.name


class GradeGate(Orderable):
    """Grades ``min_grade``–``max_grade`` need a valid certificate of ``level`` (or higher)."""

    rule_set = ParentalKey(PayRuleSet, on_delete=models.CASCADE, related_name="gates")
    min_grade = models.PositiveSmallIntegerField(_("from grade"))
    max_grade = models.PositiveSmallIntegerField(_("to grade"))
    level = models.ForeignKey(
        CertificationLevel, verbose_name=_("certificate needed"), on_delete=models.PROTECT
    )

    panels = [
        FieldRowPanel([FieldPanel("min_grade"), FieldPanel("max_grade"), FieldPanel("level")])
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("certificate gate")


class WageIndex(models.Model):
    """上年度当地全口径城镇单位就业人员平均工资 (yuan/year), effective from a date."""

    year = models.PositiveSmallIntegerField(_("statistics year"), unique=True)
    amount = models.DecimalField(
        _("average wage (yuan/year)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1"))],
    )
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("year"), FieldPanel("amount"), FieldPanel("effective_from")]),
        FieldPanel("source"),
    ]

    class Meta:
        verbose_name = _("local average wage")
        verbose_name_plural = _("local average wages")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class GradeReview(models.Model):
    """An eligibility review for a date over a jurisdiction; HR decides each item."""

    org_unit = models.ForeignKey(
        "people.OrgUnit", verbose_name=_("jurisdiction"), on_delete=models.PROTECT
    )
    review_date = models.DateField(_("review date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("grade review")
        verbose_name_plural = _("grade reviews")
        ordering = ["-review_date", "-id"]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.review_date}"


class GradeReviewItem(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    review = models.ForeignKey(GradeReview, on_delete=models.CASCADE, related_name="items")
    worker = models.ForeignKey(WorkerProfile, on_delete=models.CASCADE, related_name="+")
    current_grade = models.PositiveSmallIntegerField(_("current grade"))
    proposed_grade = models.PositiveSmallIntegerField(_("proposed grade"))
    eligible = models.BooleanField(_("eligible"))
    reason = models.TextField(_("reason"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default="pending"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-eligible", "worker__employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["review", "worker"], name="one_item_per_worker")
        ]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.worker_id}: {self.decision}"
