from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from . import views
from .access import can_analyse
from .graph import DEFAULT_DIMENSIONS
from .models import Dimension, Scenario


class ScenarioCreateView(CreateView):
    """A new scenario starts with the five dimensions of domain.md (equal weights)."""

    def get_initial_form_instance(self):
        instance = super().get_initial_form_instance() or self.model()
        if self.request.method == "GET":
            instance.dimensions = [
                Dimension(key=key, name=name, weight=weight, minimum=minimum, sort_order=i)
                for i, (key, name, weight, minimum) in enumerate(DEFAULT_DIMENSIONS)
            ]
        return instance


@hooks.register("register_log_actions")
def register_simulation_log_actions(actions):
    actions.register_action("simulations.run_started", _("Start run"), _("Simulation run started"))
    actions.register_action("simulations.choice_made", _("Choose"), _("Simulation choice made"))
    actions.register_action(
        "simulations.run_finished", _("Finish run"), _("Simulation run finished")
    )


class LinksColumn(Column):
    """Links to the graph view and the analytics of a scenario."""

    def get_value(self, instance):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("simulations_graph", args=[instance.pk]),
            _("Graph"),
            reverse("simulations_analytics", args=[instance.pk]),
            _("Analytics"),
        )


class ScenarioViewSet(SnippetViewSet):
    model = Scenario
    add_view_class = ScenarioCreateView
    icon = "radio-full"
    menu_label = _("Simulations")
    menu_name = "simulations"
    menu_order = 330
    add_to_admin_menu = True
    list_display = ["code", "title", "scenario_type", "tier", LinksColumn("links", label="")]
    list_filter = ["scenario_type", "tier"]
    search_fields = ["code", "title"]
    ordering = ["code"]


register_snippet(ScenarioViewSet)


@hooks.register("register_admin_urls")
def register_simulation_admin_urls():
    return [
        path("simulations/<int:pk>/graph/", views.graph_view, name="simulations_graph"),
        path(
            "simulations/<int:pk>/analytics/",
            views.analytics_view,
            name="simulations_analytics",
        ),
        path("simulations/analytics/", views.analytics_index, name="simulations_analytics_index"),
    ]


class AnalyticsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_analyse(request.user)


@hooks.register("register_reports_menu_item")
def register_analytics_menu_item():
    return AnalyticsMenuItem(
        _("Simulation analytics"),
        reverse("simulations_analytics_index"),
        icon_name="radio-full",
        order=800,
    )
