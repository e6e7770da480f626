"""StreamField blocks of a lesson body."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from .activities import activity_choices, render_activity


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "courses/blocks/image.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    note = blocks.CharBlock(label=_("note"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "courses/blocks/document.html"


class KeyPointBlock(blocks.StructBlock):
    """A highlighted callout: a rule, a red line or a legal basis to remember."""

    title = blocks.CharBlock(label=_("title"), max_length=80)
    text = blocks.TextBlock(label=_("text"))
    legal_basis = blocks.CharBlock(label=_("legal basis"), required=False, max_length=120)

    class Meta:
        icon = "warning"
        label = _("Key point")
        template = "courses/blocks/key_point.html"


class CaseLinkBlock(blocks.StructBlock):
    """A case from the case bank, with a line on why it matters for this lesson."""

    case = blocks.PageChooserBlock(label=_("case"), page_type="casebank.CasePage")
    note = blocks.CharBlock(label=_("why read it"), required=False, max_length=200)

    class Meta:
        icon = "doc-full-inverse"
        label = _("Case from the case bank")
        template = "courses/blocks/case_link.html"


class ActivityBlock(blocks.ChoiceBlock):
    """The slot for an exam or a simulation; higher apps register what it can hold."""

    def __init__(self, **kwargs):
        super().__init__(choices=activity_choices, **kwargs)

    def render(self, value, context=None):
        request = (context or {}).get("request")
        return render_activity(request, value)

    def deconstruct(self):
        return ("courses.blocks.ActivityBlock", (), {})

    class Meta:
        icon = "tasks"
        label = _("Activity (exam or simulation)")


class LessonBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Text"), features=["h2", "h3", "bold", "italic", "ol", "ul", "link"]
    )
    image = ImageBlock()
    video = EmbedBlock(label=_("Video"), icon="media")
    document = DocumentBlock()
    key_point = KeyPointBlock()
    case = CaseLinkBlock()
    activity = ActivityBlock()

    def deconstruct(self):
        return ("courses.blocks.LessonBodyBlock", (), {})
