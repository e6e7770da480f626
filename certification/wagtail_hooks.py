from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import CertificationLevel, PayRuleSet, WageIndex


@hooks.register("register_log_actions")
def register_certification_log_actions(actions):
    actions.register_action("certification.issued", _("Issue certificate"), _("Certificate issued"))
    actions.register_action(
        "certification.superseded", _("Supersede certificate"), _("Certificate superseded")
    )
    actions.register_action(
        "certification.revoked", _("Revoke certificate"), _("Certificate revoked")
    )
    actions.register_action(
        "certification.review_created", _("Compute grade review"), _("Grade review computed")
    )
    actions.register_action(
        "certification.grade_approved", _("Approve grade step"), _("Grade step approved")
    )
    actions.register_action(
        "certification.grade_rejected", _("Reject grade step"), _("Grade step rejected")
    )


class LevelViewSet(SnippetViewSet):
    model = CertificationLevel
    icon = "pick"
    menu_label = _("Certification levels")
    copy_view_enabled = False
    list_display = ["code", "name", "rank", "validity_months", "is_badge"]


class PayRuleSetViewSet(SnippetViewSet):
    model = PayRuleSet
    icon = "cogs"
    menu_label = _("Pay rules")
    list_display = ["name", "active", "step_years", "qual_mode"]


class WageIndexViewSet(SnippetViewSet):
    model = WageIndex
    icon = "date"
    menu_label = _("Local average wage")
    copy_view_enabled = False
    list_display = ["year", "amount", "effective_from"]


class CertificationGroup(SnippetViewSetGroup):
    items = (LevelViewSet, PayRuleSetViewSet, WageIndexViewSet)
    menu_icon = "pick"
    menu_label = _("Certification")
    menu_name = "certification"


register_snippet(CertificationGroup)
