"""Question bank, exams, attempts, marks and item statistics.

Questions and exams are Wagtail snippets with revisions. An attempt copies every question it
draws into a frozen snapshot (``AttemptQuestion.snapshot``), so editing the bank never changes
an attempt in progress or a result already given (Moodle's question versions, in small).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, RevisionMixin
from wagtail.search import index

from courses.models import Category, Tier


class Difficulty(models.IntegerChoices):
    EASY = 1, _("Easy")
    MEDIUM = 2, _("Medium")
    HARD = 3, _("Hard")


class Law(models.TextChoices):
    MEDIATION_LAW = "mediation_law", _("People's Mediation Law")
    HOTLINE_REGULATION = "hotline_reg", _("Beijing Regulation on Responding to Complaints")
    NOISE_LAW = "noise_law", _("Noise Pollution Prevention Law")
    CIVIL_CODE = "civil_code", _("Civil Code")
    EMERGENCY_LAW = "emergency_law", _("Emergency Response Law")
    RESIDENTS_COMMITTEE = "residents_committee", _("Urban Residents' Committee Organisation Law")
    FIRE_LAW = "fire_law", _("Fire Protection Law")
    PRIVACY_LAW = "privacy_law", _("Personal Information Protection Law")
    PROPERTY_REGULATION = "property_reg", _("Beijing Property Management Regulation")
    OTHER = "other", _("Other / practice")


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True/false")
    FILL_BLANK = "fill_blank", _("Fill in the blank")
    SHORT_ANSWER = "short_answer", _("Short answer")


CHOICE_TYPES = {QuestionType.SINGLE, QuestionType.MULTIPLE}
OBJECTIVE_TYPES = {
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.TRUE_FALSE,
    QuestionType.FILL_BLANK,
}


class RubricLevelBlock(blocks.StructBlock):
    points = blocks.IntegerBlock(label=_("points"), min_value=0, max_value=100)
    descriptor = blocks.TextBlock(label=_("descriptor"))


class RubricCriterionBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("criterion"), max_length=100)
    levels = blocks.ListBlock(RubricLevelBlock(), label=_("levels"), min_num=2)

    class Meta:
        icon = "list-ol"


class QuestionTag(TaggedItemBase):
    content_object = ParentalKey(
        "assessments.Question", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Question(RevisionMixin, index.Indexed, ClusterableModel):
    """One item of the question bank. Trainers write and revise them in the admin (题库)."""

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        allow_unicode=False,
        help_text=_("Stable key, e.g. MED-Q001. Used by import/export."),
    )
    qtype = models.CharField(_("type"), max_length=16, choices=QuestionType.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, default=Tier.T1)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    law = models.CharField(
        _("law referenced"), max_length=24, choices=Law.choices, default=Law.OTHER
    )
    law_article = models.CharField(_("article"), max_length=60, blank=True)
    text = models.TextField(_("question text"), max_length=2000)
    points = models.DecimalField(
        _("points"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("100"))],
    )
    true_false_answer = models.BooleanField(
        _("true/false answer"), null=True, blank=True, help_text=_("Only for true/false.")
    )
    accepted_answers = models.TextField(
        _("accepted answers"),
        blank=True,
        help_text=_(
            "Fill in the blank: one accepted answer per line. Full-width/half-width and spaces "
            "are ignored when comparing."
        ),
    )
    rubric = StreamField(
        [("criterion", RubricCriterionBlock())],
        blank=True,
        verbose_name=_("rubric"),
        help_text=_("Short answer: criteria, each with levels and descriptors."),
    )
    explanation = models.TextField(_("explanation"), blank=True, max_length=3000)
    tags = ClusterTaggableManager(through=QuestionTag, blank=True, verbose_name=_("tags"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("qtype")]),
        FieldRowPanel([FieldPanel("category"), FieldPanel("tier"), FieldPanel("difficulty")]),
        FieldRowPanel([FieldPanel("law"), FieldPanel("law_article"), FieldPanel("points")]),
        FieldPanel("text"),
        InlinePanel("options", label=_("Options (single/multiple choice)")),
        FieldPanel("true_false_answer"),
        FieldPanel("accepted_answers"),
        FieldPanel("rubric"),
        FieldPanel("explanation"),
        FieldPanel("tags"),
    ]
    search_fields = [
        index.SearchField("text"),
        index.AutocompleteField("code"),
        index.FilterField("category"),
        index.FilterField("qtype"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"

    @property
    def accepted_answer_list(self) -> list[str]:
        return [line.strip() for line in self.accepted_answers.splitlines() if line.strip()]

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.qtype == QuestionType.TRUE_FALSE and self.true_false_answer is None:
            errors["true_false_answer"] = _("A true/false question needs its answer.")
        if self.qtype == QuestionType.FILL_BLANK and not self.accepted_answer_list:
            errors["accepted_answers"] = _("Give at least one accepted answer.")
        if errors:
            raise ValidationError(errors)


class QuestionOption(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)

    panels = [FieldRowPanel([FieldPanel("text"), FieldPanel("is_correct")])]

    def __str__(self) -> str:
        return self.text


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest attempt")
    LAST = "last", _("Last attempt")


class FeedbackPolicy(models.TextChoices):
    SCORE_ONLY = "score", _("Score only")
    AFTER_SUBMIT = "immediate", _("Per-question feedback after submission")
    AFTER_CLOSE = "after_close", _("Per-question feedback after the window closes")


class Layout(models.TextChoices):
    ONE_PER_SCREEN = "one", _("One question per screen")
    ALL_ON_PAGE = "all", _("All questions on one page")


class ExamQuerySet(models.QuerySet):
    def open_at(self, when):
        return self.filter(is_active=True).filter(Q(closes_at__isnull=True) | Q(closes_at__gt=when))


class Exam(RevisionMixin, index.Indexed, ClusterableModel):
    """A timed exam: fixed questions and/or random draws from pools, with its rules (考试)."""

    code = models.CharField(
        _("code"), max_length=30, unique=True, help_text=_("Stable key, e.g. EX-MED-101.")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True, help_text=_("Empty: no time limit.")
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"), default=0, help_text=_("0: unlimited.")
    )
    pass_mark = models.DecimalField(
        _("pass mark (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=10,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    feedback_policy = models.CharField(
        _("feedback policy"),
        max_length=12,
        choices=FeedbackPolicy.choices,
        default=FeedbackPolicy.AFTER_SUBMIT,
    )
    layout = models.CharField(
        _("layout"), max_length=4, choices=Layout.choices, default=Layout.ONE_PER_SCREEN
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    blind_marking = models.BooleanField(_("blind marking"), default=True)
    double_marking = models.BooleanField(_("double marking"), default=False)
    double_marking_tolerance = models.DecimalField(
        _("double-marking tolerance (points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        help_text=_("Two marks further apart than this go to a third marker."),
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exams",
    )
    course_required = models.BooleanField(_("required to complete the course"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ExamQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("title")]),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("course"), FieldPanel("course_required")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("is_active"), FieldPanel("time_limit_minutes")]),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldRowPanel(
                    [
                        FieldPanel("max_attempts"),
                        FieldPanel("pass_mark"),
                        FieldPanel("grading_method"),
                    ]
                ),
                FieldRowPanel([FieldPanel("feedback_policy"), FieldPanel("layout")]),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
                FieldRowPanel(
                    [
                        FieldPanel("blind_marking"),
                        FieldPanel("double_marking"),
                        FieldPanel("double_marking_tolerance"),
                    ]
                ),
            ],
            heading=_("Rules"),
        ),
        InlinePanel("fixed_questions", label=_("Fixed questions")),
        InlinePanel("pools", label=_("Random draws from pools")),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("code")]

    class Meta:
        ordering = ["code"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True)
                | Q(opens_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="assessments_exam_window_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The window must close after it opens.")})


class ExamQuestion(Orderable):
    exam = ParentalKey(Exam, on_delete=models.CASCADE, related_name="fixed_questions")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question")
    )

    panels = [FieldPanel("question")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["exam", "question"], name="assessments_examq_unique")
        ]


class ExamPool(Orderable):
    """Draw ``count`` random questions matching the filters (e.g. 10 from 矛盾调解 at T1)."""

    exam = ParentalKey(Exam, on_delete=models.CASCADE, related_name="pools")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, blank=True)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), choices=Difficulty.choices, null=True, blank=True
    )
    tag = models.CharField(_("tag"), max_length=100, blank=True)
    count = models.PositiveSmallIntegerField(
        _("number of questions"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    panels = [
        FieldRowPanel(
            [
                FieldPanel("category"),
                FieldPanel("tier"),
                FieldPanel("difficulty"),
                FieldPanel("tag"),
                FieldPanel("count"),
            ]
        )
    ]

    def matching(self):
        qs = Question.objects.filter(category=self.category)
        if self.tier:
            qs = qs.filter(tier=self.tier)
        if self.difficulty:
            qs = qs.filter(difficulty=self.difficulty)
        if self.tag:
            qs = qs.filter(tags__name=self.tag)
        return qs


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    MARKING = "marking", _("Awaiting marking")
    GRADED = "graded", _("Graded")


class Attempt(models.Model):
    """One learner's sitting of an exam. The server alone decides its deadline."""

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exam_attempts"
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    status = models.CharField(
        _("status"), max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    auto_submitted = models.BooleanField(_("submitted automatically"), default=False)
    points_awarded = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    points_possible = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "user", "number"], name="assessments_attempt_number_unique"
            ),
            # Two tabs pressing "start" at once still get one attempt in progress.
            models.UniqueConstraint(
                fields=["exam", "user"],
                condition=Q(status="in_progress"),
                name="assessments_one_attempt_in_progress",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.exam.code} #{self.number} {self.user}"

    @property
    def is_released(self) -> bool:
        return self.status == AttemptStatus.GRADED


class MarkingState(models.TextChoices):
    NONE = "none", _("Scored automatically")
    PENDING = "pending", _("Awaiting marking")
    THIRD = "third", _("Needs a third marker")
    DONE = "done", _("Marked")


class AttemptQuestion(models.Model):
    """One question as drawn into an attempt: a frozen snapshot plus the learner's answer."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    snapshot = models.JSONField()
    option_order = models.JSONField(default=list)
    answer = models.JSONField(null=True, blank=True)
    seq = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    max_points = models.DecimalField(max_digits=5, decimal_places=2)
    points = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    marking_state = models.CharField(
        max_length=8, choices=MarkingState.choices, default=MarkingState.NONE
    )

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="assessments_aq_unique"),
            models.UniqueConstraint(
                fields=["attempt", "position"], name="assessments_aq_position_unique"
            ),
        ]
        indexes = [models.Index(fields=["marking_state"])]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.position}"


class Mark(models.Model):
    """One marker's judgement of a short answer against the question's rubric."""

    item = models.ForeignKey(AttemptQuestion, on_delete=models.CASCADE, related_name="marks")
    marker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exam_marks"
    )
    levels = models.JSONField(help_text="criterion index → chosen level index")
    points = models.DecimalField(max_digits=5, decimal_places=2)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "marker"], name="assessments_mark_one_per_marker"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.points}"


class ExamStatistics(models.Model):
    """Whole-test statistics of an exam, recomputed by a Celery task after submissions."""

    exam = models.OneToOneField(Exam, on_delete=models.CASCADE, related_name="statistics")
    attempts = models.PositiveIntegerField(default=0)
    mean_score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    sd_score = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    alpha = models.FloatField(null=True)
    alpha_method = models.CharField(max_length=12, blank=True)
    alpha_items = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.exam.code} statistics"


class ItemStatistics(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="item_statistics")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    responses = models.PositiveIntegerField(default=0)
    facility = models.FloatField(null=True)
    discrimination = models.FloatField(null=True)
    distractors = models.JSONField(default=list)
    flags = models.JSONField(default=list)

    class Meta:
        ordering = ["exam", "question__code"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "question"], name="assessments_itemstat_unique")
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.question_id}"
