"""A StreamField block that embeds a case (for lesson bodies in higher apps)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class CaseEmbedBlock(blocks.StructBlock):
    """Embed a published case: its claim, steps and a link to the full write-up."""

    case = blocks.PageChooserBlock(page_type="casebank.CasePage", label=_("Case"))
    note = blocks.CharBlock(label=_("Why read this case"), required=False, max_length=200)

    class Meta:
        icon = "doc-full-inverse"
        label = _("Case from the case library")
        template = "casebank/blocks/case_embed.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        page = value.get("case")
        context["case"] = page.specific if page is not None and page.live else None
        return context
