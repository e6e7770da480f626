"""社区工作法 cases: the library index, case pages, laws, review outcomes, 有用 marks, search index.

Page models stay thin; writes go through ``casebank.services`` and the search index is
maintained by ``casebank.search``.
"""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.forms import TaskStateCommentForm
from wagtail.models import AbstractGroupApprovalTask, Orderable, Page


class ScenarioType(models.TextChoices):
    MEDIATION = "mediation", _("Dispute mediation (矛盾调解)")
    HOTLINE = "hotline", _("Hotline requests (接诉即办)")
    EMERGENCY = "emergency", _("Emergency response (应急处突)")
    PATROL = "patrol", _("Grid patrol (网格巡查)")
    SERVICE = "service", _("Serving residents (服务群众)")
    DIGITAL = "digital", _("Digital tools (数字工具)")
    PROACTIVE = "proactive", _("Proactive governance (主动治理)")


class ReviewLevel(models.TextChoices):
    STREET = "street", _("Street (街道)")
    DISTRICT = "district", _("District (区)")


class Law(models.Model):
    """A law or regulation that cases cite (e.g. 人民调解法). Editors keep one row per law."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    short_name = models.CharField(
        _("short name"),
        max_length=40,
        blank=True,
        help_text=_("Optional everyday name, e.g. 消防法 for 中华人民共和国消防法."),
    )

    panels = [FieldPanel("name"), FieldPanel("short_name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("law")
        verbose_name_plural = _("laws")

    def __str__(self) -> str:
        return self.short_name or self.name


def route_to_child(parent, child_model, request, path_components):
    """Wagtail's routing, one query per level instead of two (the course pages use it too).

    ``Page.route`` loads the child as a plain page and then its specific row; every child of
    ``parent`` is a ``child_model`` (``subpage_types``), so load that directly. Anything else
    (no such child, another type) goes the usual way.
    """
    if path_components:
        try:
            child = child_model.objects.child_of(parent).get(slug=path_components[0])
        except child_model.DoesNotExist:
            pass
        else:
            child._cached_parent_obj = parent
            return child.route(request, path_components[1:])
    return Page.route(parent, request, path_components)


class CaseIndexPage(Page):
    """The case library at ``/cases/``: search, facets and sorting over published cases."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["lms.HomePage"]
    subpage_types = ["casebank.CasePage"]
    max_count = 1

    class Meta:
        verbose_name = _("case library")

    def route(self, request, path_components):
        return route_to_child(self, CasePage, request, path_components)

    def serve(self, request, *args, **kwargs):
        from .views import case_library

        return case_library(request, self)


class CasePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "casebank.CasePage", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        # Covering index of the tag facet: counts come from the index alone, per candidate case.
        indexes = [models.Index(fields=["content_object", "tag"], name="casebank_tag_case_tag_idx")]


class MethodStepBlock(blocks.StructBlock):
    action = blocks.TextBlock(label=_("Action"))
    tools = blocks.CharBlock(label=_("Tools or forms used"), required=False, max_length=255)
    legal_basis = blocks.CharBlock(label=_("Legal basis"), required=False, max_length=255)

    class Meta:
        icon = "list-ol"
        label = _("Step")


def new_case_slug() -> str:
    """Chinese titles slugify to nothing (unicode slugs are off), so cases get a short random one."""
    return f"case-{secrets.token_hex(4)}"


class CasePageForm(WagtailAdminPageForm):
    """Lets authors leave the slug empty: a ``case-xxxxxxxx`` slug is generated."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def clean(self):
        if "slug" in self.fields and not self.cleaned_data.get("slug"):
            self.cleaned_data["slug"] = new_case_slug()
        return super().clean()


class CasePage(Page):
    """One 社区工作法 case written up as domain.md §3.6: title (method name + claim), scenario,
    background, ordered method steps, outcome, lessons and red lines, legal references.

    Trainers write cases here; the 「案例审核」 workflow publishes them after review.
    """

    method_name = models.CharField(
        _("method name"),
        max_length=60,
        blank=True,
        help_text=_("The named method, e.g. 三步听诊. The page title carries name + claim."),
    )
    scenario_type = models.CharField(
        _("scenario type"), max_length=20, choices=ScenarioType.choices, db_index=True
    )
    origin_org_unit = models.ForeignKey(
        "people.OrgUnit",
        verbose_name=_("org unit of origin"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    background = models.TextField(
        _("background and problem"),
        help_text=_("Data, the focus of the conflict, the parties involved."),
    )
    steps = StreamField(
        [("step", MethodStepBlock())],
        verbose_name=_("method steps"),
        help_text=_("3 to 6 steps, in order: action, tools or forms, legal basis."),
    )
    outcome = models.TextField(_("outcome"), help_text=_("Figures and residents' views."))
    lessons = models.TextField(
        _("lessons learned"), help_text=_("What can be copied, and under which conditions.")
    )
    red_lines = models.TextField(_("risks and red lines"), blank=True)
    authors = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("authors"),
        blank=True,
        related_name="authored_cases",
    )
    tags = ClusterTaggableManager(through=CasePageTag, blank=True, verbose_name=_("tags"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("method_name"),
        MultiFieldPanel(
            [FieldPanel("scenario_type"), FieldPanel("origin_org_unit"), FieldPanel("tags")],
            heading=_("Classification"),
        ),
        FieldPanel("background"),
        FieldPanel("steps"),
        FieldPanel("outcome"),
        FieldPanel("lessons"),
        FieldPanel("red_lines"),
        InlinePanel("law_references", label=_("Legal references")),
        FieldPanel("authors"),
        InlinePanel("attachments", label=_("Attachments")),
        InlinePanel("related_links", label=_("Related cases")),
    ]
    parent_page_types = ["casebank.CaseIndexPage"]
    subpage_types: list[str] = []
    base_form_class = CasePageForm

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        # Covering index of the scenario facet (the case rows carry the long write-up).
        indexes = [models.Index(fields=["scenario_type"], name="casebank_case_scenario_idx")]

    def _set_core_field_defaults(self):
        if not self.slug and (self.path or getattr(self, "_cached_parent_obj", None)):
            self.slug = new_case_slug()
        super()._set_core_field_defaults()

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .views import case_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(case_page_context(request, self))
        return context

    def publish(self, revision, user=None, skip_permission_checks=False, **kwargs):
        """Authors never publish their own case, whatever the path (editor, workflow, code).

        Reviewers hold no publish permission in the page tree, so the editor never offers them a
        direct "Publish"; when their approval finishes the 「案例审核」 workflow, the publish that
        Wagtail then performs on their behalf is allowed here.
        """
        from wagtail.actions.publish_page_revision import PublishPagePermissionError

        from .rules import can_review_case, is_author

        if user is not None:
            if is_author(user, self):
                raise PublishPagePermissionError(_("Authors cannot publish their own case."))
            if can_review_case(user, self):
                skip_permission_checks = True
        return super().publish(
            revision, user=user, skip_permission_checks=skip_permission_checks, **kwargs
        )

    def step_list(self) -> list[dict]:
        return [
            {
                "action": child.value["action"],
                "tools": child.value["tools"],
                "legal_basis": child.value["legal_basis"],
            }
            for child in self.steps
            if child.block_type == "step"
        ]


class CaseLawReference(Orderable):
    """A structured legal reference (law + article) so the library can facet by law."""

    page = ParentalKey(CasePage, on_delete=models.CASCADE, related_name="law_references")
    law = models.ForeignKey(
        Law, verbose_name=_("law"), on_delete=models.PROTECT, related_name="references"
    )
    article = models.CharField(
        _("article"), max_length=40, blank=True, help_text=_("e.g. 第17条 or 第28条第二款")
    )

    panels = [FieldPanel("law"), FieldPanel("article")]

    class Meta(Orderable.Meta):
        verbose_name = _("legal reference")
        verbose_name_plural = _("legal references")
        # Covering index of the law facet (counts per candidate case from the index alone).
        indexes = [models.Index(fields=["page", "law"], name="casebank_lawref_page_law_idx")]

    def __str__(self) -> str:
        return f"{self.law}{self.article}"


class CaseAttachment(Orderable):
    page = ParentalKey(CasePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    caption = models.CharField(_("caption"), max_length=120, blank=True)

    panels = [FieldPanel("document"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class CaseRelatedLink(Orderable):
    page = ParentalKey(CasePage, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(
        "casebank.CasePage",
        verbose_name=_("related case"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("related")]

    class Meta(Orderable.Meta):
        verbose_name = _("related case")
        verbose_name_plural = _("related cases")


class CaseAcceptance(models.Model):
    """The review outcome certification counts: accepted at street or district level.

    Kept outside the page so that later edits and revisions never rewrite who accepted it.
    """

    case = models.OneToOneField(
        CasePage, on_delete=models.CASCADE, related_name="acceptance", verbose_name=_("case")
    )
    review_level = models.CharField(_("review level"), max_length=10, choices=ReviewLevel.choices)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_on = models.DateField(_("accepted on"))

    class Meta:
        verbose_name = _("case acceptance")
        verbose_name_plural = _("case acceptances")

    def __str__(self) -> str:
        return f"{self.case_id} {self.review_level} {self.accepted_on}"


class UsefulMark(models.Model):
    """A learner found a case useful (有用). One per person and case."""

    case = models.ForeignKey(CasePage, on_delete=models.CASCADE, related_name="useful_marks")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="useful_marks"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="casebank_useful_once")
        ]
        verbose_name = _("useful mark")
        verbose_name_plural = _("useful marks")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.case_id}"


class CaseSearchTerm(models.Model):
    """Inverted index of segmented Chinese text: one row per (live case, term).

    ``title_hits`` and ``body_hits`` count occurrences so ranking can put title matches first.
    Plain rows and B-tree indexes behave the same on SQLite and PostgreSQL.
    """

    case = models.ForeignKey(CasePage, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=64)
    title_hits = models.PositiveSmallIntegerField(default=0)
    body_hits = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "case"], name="casebank_term_case_unique")
        ]
        indexes = [
            models.Index(fields=["case"], name="casebank_term_case_idx"),
            # Covering index of ranking: matching and scoring read no table rows.
            models.Index(
                fields=["term", "case", "title_hits", "body_hits"], name="casebank_term_rank_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.term


class CaseSearchDocument(models.Model):
    """Plain text of a live case kept for snippets (what the highlighted excerpt is cut from)."""

    case = models.OneToOneField(CasePage, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    # Local year of first publication: the year facet groups on this plain column, since
    # extracting a year from a timestamp in SQLite runs a Python function for every row.
    year = models.PositiveSmallIntegerField(null=True, db_index=True)

    class Meta:
        # Covering index of the year facet: the rows themselves carry the (long) body.
        indexes = [models.Index(fields=["case", "year"], name="casebank_doc_case_year_idx")]

    def __str__(self) -> str:
        return f"document of case {self.case_id}"


class RejectionCommentForm(TaskStateCommentForm):
    """Rejecting a case must tell the author what to change."""

    comment = forms.CharField(
        label=_("Comment"),
        required=True,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Say what the author should change."),
    )


class CaseReviewTask(AbstractGroupApprovalTask):
    """「案例审核」: members of the chosen groups approve or reject, but never their own case.

    An author is the page owner, anyone listed in ``authors`` or whoever submitted the case for
    review. A reviewer whose jurisdiction does not contain the case's org unit of origin gets no
    actions either. Approving records the review level (街道 or 区) for certification.
    """

    def may_moderate(self, obj, user) -> bool:
        from .rules import can_review_case

        return can_review_case(user, obj) and (user.is_superuser or self._user_in_groups(user))

    def user_can_access_editor(self, obj, user):
        return self.may_moderate(obj, user)

    def locked_for_user(self, obj, user):
        return not self.may_moderate(obj, user)

    def get_actions(self, obj, user):
        if not self.may_moderate(obj, user):
            return []
        return [
            ("reject", _("Reject with comment"), True),
            ("approve", _("Approve and publish"), False),
            ("approve", _("Approve with comment"), True),
        ]

    def get_form_for_action(self, action):
        return RejectionCommentForm if action == "reject" else TaskStateCommentForm

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        return states.exclude(workflow_state__requested_by=user)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        from .services import record_acceptance

        case = task_state.workflow_state.content_object
        if not self.may_moderate(case, user):
            raise PermissionDenied(_("You cannot review this case."))
        if action_name == "reject" and not (kwargs.get("comment") or "").strip():
            raise ValidationError(_("A rejection needs a comment for the author."))
        super().on_action(task_state, user, action_name, **kwargs)
        if action_name == "approve":
            case = CasePage.objects.get(pk=case.pk)
            if case.live:
                record_acceptance(case, acting_user=user)

    @classmethod
    def get_description(cls):
        return _("Reviewers approve or reject cases; authors can never approve their own.")

    class Meta:
        verbose_name = _("case review task")
        verbose_name_plural = _("case review tasks")
