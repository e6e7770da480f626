"""社区工作法 cases: the library index, case pages, laws, review outcomes, 有用 marks, search index.

Page models stay thin; writes go through ``casebank.services`` and the search index is
maintained by ``casebank.search``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.snippets.models import register_snippet


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


register_snippet(Law)


class CaseIndexPage(Page):
    """The case library at ``/cases/``: search, facets and sorting over published cases."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["lms.HomePage"]
    subpage_types = ["casebank.CasePage"]
    max_count = 1

    class Meta:
        verbose_name = _("case library")

    def serve(self, request, *args, **kwargs):
        from .views import case_library

        return case_library(request, self)


class CasePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "casebank.CasePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class MethodStepBlock(blocks.StructBlock):
    action = blocks.TextBlock(label=_("Action"))
    tools = blocks.CharBlock(label=_("Tools or forms used"), required=False, max_length=255)
    legal_basis = blocks.CharBlock(label=_("Legal basis"), required=False, max_length=255)

    class Meta:
        icon = "list-ol"
        label = _("Step")


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

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def get_context(self, request, *args, **kwargs):
        from .views import case_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(case_page_context(request, self))
        return context

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
        indexes = [models.Index(fields=["case"], name="casebank_term_case_idx")]


class CaseSearchDocument(models.Model):
    """Plain text of a live case kept for snippets (what the highlighted excerpt is cut from)."""

    case = models.OneToOneField(CasePage, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
