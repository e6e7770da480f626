from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimulationsConfig(AppConfig):
    name = "assessments.simulations"
    label = "simulations"
    verbose_name = _("Simulations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses.activities import register_activity_kind
        from people.roles import DISTRICT_ADMIN, REVIEWER, TRAINER, register_role_permissions

        from .activity import activity_choices, render_activity

        author = [
            f"simulations.{action}_scenario"
            for action in ("add", "change", "delete", "view", "publish", "lock", "unlock")
        ]
        register_role_permissions(TRAINER, [*author, "simulations.view_run"])
        register_role_permissions(
            REVIEWER, ["simulations.view_scenario", "simulations.change_scenario"]
        )
        register_role_permissions(DISTRICT_ADMIN, ["simulations.view_run"])
        register_activity_kind(
            "simulation",
            label=_("Simulation"),
            choices=activity_choices,
            render=render_activity,
        )
