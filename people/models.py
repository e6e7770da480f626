"""Users, the org tree (市/区/街道/社区/网格) and worker profiles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from .masking import mask_id_number, mask_mobile

mobile_validator = RegexValidator(r"^1\d{10}$", _("Enter an 11-digit mainland mobile number."))
id_number_validator = RegexValidator(
    r"^\d{17}[\dX]$", _("Enter an 18-character resident ID number (digits, last may be X).")
)


class User(AbstractUser):
    """Everyone who logs in. Signs in with a username or a mobile number."""

    name = models.CharField(_("full name"), max_length=50, blank=True)
    mobile = models.CharField(
        _("mobile number"),
        max_length=11,
        blank=True,
        null=True,
        unique=True,
        validators=[mobile_validator],
    )
    jurisdiction = models.ForeignKey(
        "people.OrgUnit",
        verbose_name=_("jurisdiction"),
        help_text=_("For HR, trainers and admins: the org subtree this account may see."),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or super().get_full_name() or self.username

    def get_short_name(self) -> str:
        return self.name or self.username

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile)

    def save(self, *args, **kwargs):
        if self.mobile == "":
            self.mobile = None
        super().save(*args, **kwargs)


class OrgLevel(models.TextChoices):
    CITY = "city", _("City (市)")
    DISTRICT = "district", _("District (区)")
    STREET = "street", _("Street (街道)")
    COMMUNITY = "community", _("Community (社区)")
    GRID = "grid", _("Grid (网格)")


ORG_LEVEL_DEPTH = {
    OrgLevel.CITY: 1,
    OrgLevel.DISTRICT: 2,
    OrgLevel.STREET: 3,
    OrgLevel.COMMUNITY: 4,
    OrgLevel.GRID: 5,
}


class OrgUnitQuerySet(MP_NodeQuerySet):
    def subtree_of(self, unit: OrgUnit) -> OrgUnitQuerySet:
        return self.filter(path__startswith=unit.path, depth__gte=unit.depth)


class OrgUnitManager(MP_NodeManager):
    def get_queryset(self) -> OrgUnitQuerySet:
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")

    def subtree_of(self, unit: OrgUnit) -> OrgUnitQuerySet:
        return self.get_queryset().subtree_of(unit)


class OrgUnit(MP_Node):
    """A node of the organisation tree: 市 → 区 → 街道 → 社区 → 网格."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Stable code used by imports and exports, e.g. QY-A-LA-01."),
    )
    level = models.CharField(_("level"), max_length=12, choices=OrgLevel.choices)

    node_order_by = ["code"]
    objects = OrgUnitManager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        """Names from the street down, e.g. 柳岸街道 / 柳岸社区 / 第3网格."""
        names = [a.name for a in self.get_ancestors() if a.depth >= 3] + [self.name]
        return " / ".join(names)

    def contains(self, other: OrgUnit) -> bool:
        return other.path.startswith(self.path)


class Post(models.TextChoices):
    CHIEF = "chief", _("Chief (正职)")
    DEPUTY = "deputy", _("Deputy (副职)")
    COMMITTEE = "committee", _("Full-time committee member (专职委员)")
    GENERAL = "general", _("General staff (一般工作人员)")
    GRID_WORKER = "grid_worker", _("Full-time grid worker (专职网格员)")


# Grade range of each post in 三岗十八级 (domain.md §1.2; 专职网格员 counts as general staff).
POST_GRADE_RANGE: dict[str, tuple[int, int]] = {
    Post.CHIEF: (7, 18),
    Post.DEPUTY: (4, 15),
    Post.COMMITTEE: (3, 14),
    Post.GENERAL: (1, 12),
    Post.GRID_WORKER: (1, 12),
}


class Education(models.TextChoices):
    HIGH_SCHOOL = "high_school", _("High school / technical secondary")
    COLLEGE = "college", _("Junior college (大专)")
    BACHELOR = "bachelor", _("Bachelor (本科)")
    MASTER = "master", _("Master (硕士)")
    DOCTOR = "doctor", _("Doctorate (博士)")


class SocialWorkQualification(models.TextChoices):
    NONE = "", _("None")
    ASSISTANT = "assistant", _("Assistant social worker (助理社工师)")
    SOCIAL_WORKER = "social_worker", _("Social worker (社工师)")
    SENIOR = "senior", _("Senior social worker (高级社工师)")


class Appraisal(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    COMPETENT = "competent", _("Competent (称职)")
    BASIC = "basic", _("Basically competent (基本称职)")
    INCOMPETENT = "incompetent", _("Incompetent (不称职)")


class WorkerProfileQuerySet(models.QuerySet):
    def in_subtree(self, unit: OrgUnit) -> WorkerProfileQuerySet:
        return self.filter(org_unit__path__startswith=unit.path)

    def with_related(self) -> WorkerProfileQuerySet:
        return self.select_related("user", "org_unit")


class WorkerProfile(models.Model):
    """A community worker or grid worker: post, grade, service, education, qualifications."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="worker"
    )
    employee_no = models.CharField(_("employee number"), max_length=30, unique=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="workers"
    )
    post = models.CharField(_("post"), max_length=12, choices=Post.choices)
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(1), MaxValueValidator(18)]
    )
    service_start_date = models.DateField(_("service start date"))
    education = models.CharField(_("education"), max_length=12, choices=Education.choices)
    sw_qualification = models.CharField(
        _("social-work qualification"),
        max_length=16,
        choices=SocialWorkQualification.choices,
        blank=True,
        default="",
    )
    sw_qualification_date = models.DateField(_("qualification date"), null=True, blank=True)
    id_number = models.CharField(
        _("ID number"), max_length=18, blank=True, validators=[id_number_validator]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkerProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker profile")
        verbose_name_plural = _("worker profiles")
        ordering = ["employee_no"]
        permissions = [
            ("import_workers", "Can import worker rosters"),
            ("unmask_personal_data", "Can see unmasked mobile and ID numbers"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__gte=1) & Q(grade__lte=18), name="worker_grade_1_18"
            ),
            models.CheckConstraint(
                condition=Q(sw_qualification="") | Q(sw_qualification_date__isnull=False),
                name="worker_qualification_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name()} ({self.employee_no})"

    @property
    def name(self) -> str:
        return self.user.get_full_name()

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.user.mobile)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    def service_years(self, on=None) -> int:
        """Whole years of community service on a date (default today)."""
        on = on or timezone.localdate()
        start = self.service_start_date
        years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
        return max(0, years)


class GradeRecord(models.Model):
    """One entry of a worker's grade history. Written by services, never edited."""

    worker = models.ForeignKey(
        WorkerProfile, on_delete=models.CASCADE, related_name="grade_history"
    )
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(1), MaxValueValidator(18)]
    )
    post = models.CharField(_("post"), max_length=12, choices=Post.choices)
    effective_date = models.DateField(_("effective date"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("grade record")
        verbose_name_plural = _("grade history")
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.worker_id}: {self.grade} @ {self.effective_date}"


class AnnualAppraisal(models.Model):
    """The annual appraisal result (年度考核) for one worker and year."""

    worker = models.ForeignKey(WorkerProfile, on_delete=models.CASCADE, related_name="appraisals")
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    result = models.CharField(_("result"), max_length=12, choices=Appraisal.choices)

    class Meta:
        verbose_name = _("annual appraisal")
        verbose_name_plural = _("annual appraisals")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "year"], name="one_appraisal_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.year}: {self.get_result_display()}"


class LoginLock(models.Model):
    """Failed logins of one account; the account is locked while ``locked_until`` is ahead.

    Keyed by account, not by address, so a whole street office behind one address is never
    locked out because of one person's typos. Unlocked by time, by a successful login after
    the lock, or by an admin (deleting the row).
    """

    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="login_lock"
    )
    identifier = models.CharField(_("account"), max_length=150, unique=True)
    failures = models.PositiveIntegerField(_("failed attempts"), default=0)
    window_started_at = models.DateTimeField(_("first failure"))
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("login lock")
        verbose_name_plural = _("login locks")
        ordering = ["-window_started_at"]

    def __str__(self) -> str:
        return self.identifier

    @property
    def is_locked(self) -> bool:
        return bool(self.locked_until and self.locked_until > timezone.now())
