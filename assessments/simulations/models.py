"""Branching simulations: scenarios authored in the admin, and the runs learners play.

A ``Scenario`` is a Wagtail snippet with drafts, revisions, locking and review workflows. Its
parts (dimensions, variants, nodes, choices, endings) are flat cluster children that refer to
each other by key ("N1", "END-A"), which keeps the admin form simple; ``graph.validate_spec``
checks that the keys fit together. A ``Run`` keeps the compiled graph it started with.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from . import graph
from .forms import ScenarioForm


class ScenarioType(models.TextChoices):
    MEDIATION = "mediation", _("Dispute mediation")
    HOTLINE = "hotline", _("Hotline request (12345)")
    EMERGENCY = "emergency", _("Emergency response")
    PATROL = "patrol", _("Grid patrol")


class Tier(models.TextChoices):
    T0 = "T0", _("T0 Probationer")
    T1 = "T1", _("T1 Frontline")
    T2 = "T2", _("T2 Backbone")
    T3 = "T3", _("T3 Leader")
    T4 = "T4", _("T4 Mentor")


class FlagRule(models.TextChoices):
    NONE = "", _("None")
    HOTLINE = "hotline", _("12345 rates: responded / resolved / satisfied")


class Scenario(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, ClusterableModel
):
    """A branching simulation a trainer authors and a learner plays on a phone.

    Nodes are situations with choices; each choice leads to another node or an ending, or is a
    red line that ends the run at once. The first node (for a variant) is where a run starts.
    """

    code = models.CharField(
        _("code"), max_length=20, unique=True, help_text=_("Stable code, e.g. SIM-01.")
    )
    title = models.CharField(_("title"), max_length=200)
    scenario_type = models.CharField(_("scenario type"), max_length=20, choices=ScenarioType)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier, default=Tier.T1)
    setup = models.TextField(_("setup"), help_text=_("The situation the learner starts from."))
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"), default=70, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    timeliness_dimension = models.CharField(
        _("timeliness dimension"),
        max_length=10,
        default="TIM",
        blank=True,
        help_text=_(
            "Key of the dimension that a late decision (past a node's time limit) is capped on."
        ),
    )
    flag_rule = models.CharField(
        _("extra outcome flags"), max_length=20, choices=FlagRule, default="", blank=True
    )
    case = models.ForeignKey(
        "casebank.CasePage",
        verbose_name=_("case"),
        help_text=_("The 社区工作法 case this scenario is drawn from (optional)."),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="simulation_scenario",
        for_concrete_model=False,
    )
    revisions = GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="simulation_scenario",
        for_concrete_model=False,
    )

    base_form_class = ScenarioForm

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("code"), FieldPanel("tier")]),
                FieldPanel("title"),
                FieldPanel("scenario_type"),
                FieldPanel("case"),
                FieldPanel("setup"),
            ],
            heading=_("Scenario"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("pass_mark"),
                        FieldPanel("timeliness_dimension"),
                        FieldPanel("flag_rule"),
                    ]
                ),
                InlinePanel("dimensions", heading=_("Dimensions"), label=_("Dimension")),
            ],
            heading=_("Scoring"),
        ),
        InlinePanel("variants", heading=_("Variants"), label=_("Variant")),
        InlinePanel("nodes", heading=_("Nodes"), label=_("Node")),
        InlinePanel("choices", heading=_("Choices"), label=_("Choice")),
        InlinePanel("endings", heading=_("Endings"), label=_("Ending")),
    ]

    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.SearchField("code"),
        index.FilterField("scenario_type"),
    ]

    class Meta:
        verbose_name = _("simulation")
        verbose_name_plural = _("simulations")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def compile(self) -> dict:
        """The scenario as a plain graph spec (children as currently held by this instance)."""
        return graph.compile_scenario(
            self,
            dimensions=list(self.dimensions.all()),
            variants=list(self.variants.all()),
            nodes=list(self.nodes.all()),
            choices=list(self.choices.all()),
            endings=list(self.endings.all()),
        )


class Dimension(Orderable):
    """A scoring dimension with its weight in the overall score and its pass minimum."""

    scenario = ParentalKey(Scenario, on_delete=models.CASCADE, related_name="dimensions")
    key = models.CharField(_("key"), max_length=10, help_text=_("e.g. LEG"))
    name = models.CharField(_("name"), max_length=40)
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=3)
    minimum = models.PositiveSmallIntegerField(_("minimum score"), default=50)

    panels = [
        FieldRowPanel(
            [FieldPanel("key"), FieldPanel("name"), FieldPanel("weight"), FieldPanel("minimum")]
        )
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("dimension")


class Variant(Orderable):
    """A version of the scenario (e.g. the gas variant of SIM-03) with some nodes swapped."""

    scenario = ParentalKey(Scenario, on_delete=models.CASCADE, related_name="variants")
    key = models.SlugField(_("key"), max_length=20)
    name = models.CharField(_("name"), max_length=60)
    is_default = models.BooleanField(_("default variant"), default=False)

    panels = [FieldRowPanel([FieldPanel("key"), FieldPanel("name"), FieldPanel("is_default")])]

    class Meta(Orderable.Meta):
        verbose_name = _("variant")


class Node(Orderable):
    """A situation the learner must decide on. The first node is the start."""

    scenario = ParentalKey(Scenario, on_delete=models.CASCADE, related_name="nodes")
    key = models.CharField(_("key"), max_length=10, help_text=_("e.g. N1"))
    title = models.CharField(_("title"), max_length=100)
    situation = models.TextField(_("situation"))
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    variant = models.CharField(
        _("only in variant"),
        max_length=20,
        blank=True,
        help_text=_("Variant key; empty: the node is in every variant."),
    )
    replaces = models.CharField(
        _("stands in for"),
        max_length=10,
        blank=True,
        help_text=_("In its variant, choices leading to this node key come here instead."),
    )
    time_limit_seconds = models.PositiveIntegerField(
        _("decision time limit (seconds)"),
        null=True,
        blank=True,
        help_text=_("Deciding later caps the timeliness points of the choice at 1."),
    )

    panels = [
        FieldRowPanel([FieldPanel("key"), FieldPanel("title")]),
        FieldPanel("situation"),
        FieldPanel("image"),
        FieldRowPanel(
            [FieldPanel("variant"), FieldPanel("replaces"), FieldPanel("time_limit_seconds")]
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("node")


class Choice(Orderable):
    """One option at a node: where it leads, what it scores, and what the debrief says."""

    scenario = ParentalKey(Scenario, on_delete=models.CASCADE, related_name="choices")
    node_key = models.CharField(_("node"), max_length=10, help_text=_("Key of its node, e.g. N1"))
    label = models.CharField(_("label"), max_length=4, help_text=_("e.g. A"))
    text = models.TextField(_("text"))
    target_key = models.CharField(
        _("next"),
        max_length=10,
        blank=True,
        help_text=_("Key of the next node or ending; empty for a red line."),
    )
    points = models.CharField(
        _("points"),
        max_length=100,
        blank=True,
        help_text=_("0–3 per dimension, e.g. “LEG 3, EMP 2, PRO 3, TIM 3, SAF 2”."),
    )
    is_red_line = models.BooleanField(_("red line"), default=False)
    red_line_code = models.CharField(_("red-line code"), max_length=10, blank=True)
    red_line_explanation = models.TextField(_("rule broken"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    feedback = models.TextField(_("debrief feedback"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("node_key"), FieldPanel("label"), FieldPanel("target_key")]),
        FieldPanel("text"),
        FieldPanel("points"),
        FieldRowPanel([FieldPanel("is_red_line"), FieldPanel("red_line_code")]),
        FieldPanel("red_line_explanation"),
        FieldPanel("legal_basis"),
        FieldPanel("feedback"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("choice")


class Ending(Orderable):
    """Where a run can end, with the outcome the learner reads."""

    scenario = ParentalKey(Scenario, on_delete=models.CASCADE, related_name="endings")
    key = models.CharField(_("key"), max_length=10, help_text=_("e.g. END-A"))
    title = models.CharField(_("title"), max_length=100)
    outcome = models.TextField(_("outcome"))

    panels = [FieldRowPanel([FieldPanel("key"), FieldPanel("title")]), FieldPanel("outcome")]

    class Meta(Orderable.Meta):
        verbose_name = _("ending")


class RunStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Finished")


class Grade(models.TextChoices):
    EXCELLENT = graph.GRADE_EXCELLENT, _("Excellent")
    PASS = graph.GRADE_PASS, _("Pass")
    FAIL = graph.GRADE_FAIL, _("Fail")


class RunQuerySet(models.QuerySet):
    def finished(self):
        return self.filter(status=RunStatus.FINISHED)


class Run(models.Model):
    """One learner playing one variant of a scenario. The server holds all of its state."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="simulation_runs"
    )
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="runs")
    variant = models.CharField(max_length=20, blank=True)
    scenario_key = models.CharField(max_length=40, db_index=True)
    spec = models.JSONField(help_text="The compiled graph the run plays (a snapshot).")
    status = models.CharField(max_length=12, choices=RunStatus, default=RunStatus.IN_PROGRESS)
    current_node = models.CharField(max_length=10, blank=True)
    node_entered_at = models.DateTimeField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ending_key = models.CharField(max_length=10, blank=True)
    red_line = models.BooleanField(default=False)
    red_line_code = models.CharField(max_length=10, blank=True)
    overall = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    dimension_scores = models.JSONField(default=dict, blank=True)
    passed = models.BooleanField(null=True)
    grade = models.CharField(max_length=10, choices=Grade, blank=True)
    flags = models.JSONField(default=dict, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = _("simulation run")
        verbose_name_plural = _("simulation runs")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scenario", "variant"],
                condition=Q(status="in_progress"),
                name="simulations_one_open_run",
            )
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.scenario_key} · {self.user}"

    @property
    def is_finished(self) -> bool:
        return self.status == RunStatus.FINISHED

    def graph(self) -> graph.VariantGraph:
        return graph.VariantGraph(self.spec, self.variant)


class Step(models.Model):
    """A decision in a run, stamped by the server. Unique per run position: no double answers."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveSmallIntegerField()
    node_key = models.CharField(max_length=10)
    choice_id = models.BigIntegerField()
    choice_label = models.CharField(max_length=4)
    points = models.JSONField(null=True, blank=True)
    red_line = models.BooleanField(default=False)
    late = models.BooleanField(default=False)
    elapsed_seconds = models.PositiveIntegerField()
    chosen_at = models.DateTimeField()

    class Meta:
        ordering = ["run", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["run", "seq"], name="simulations_step_seq"),
            models.UniqueConstraint(fields=["run", "node_key"], name="simulations_step_node"),
        ]

    def __str__(self) -> str:
        return f"{self.node_key}{self.choice_label}"
