from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import CasePage, Law
from .rules import is_author


@hooks.register("register_log_actions")
def register_casebank_log_actions(actions):
    actions.register_action(
        "casebank.submit_draft", _("Submit case draft"), _("Case draft submitted from the site")
    )
    actions.register_action(
        "casebank.submit_for_review", _("Submit case for review"), _("Case submitted for review")
    )
    actions.register_action("casebank.accept", _("Accept case"), _("Case accepted"))
    actions.register_action("casebank.mark_useful", _("Mark useful"), _("Marked useful"))
    actions.register_action("casebank.unmark_useful", _("Unmark useful"), _("Useful mark removed"))


@hooks.register("before_publish_page")
def refuse_self_publish(request, page):
    """An author never publishes their own case, even with publish rights: it goes to review."""
    if isinstance(page.specific, CasePage) and is_author(request.user, page):
        messages.error(
            request,
            _("You wrote this case, so you cannot publish it. Submit it for review instead."),
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


class LawViewSet(SnippetViewSet):
    model = Law
    icon = "doc-full"
    menu_label = _("Laws")
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]
    ordering = ["name"]


register_snippet(LawViewSet)
