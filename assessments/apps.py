from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Question bank, exams and attempts. Simulations live in ``assessments.simulations``."""

    name = "assessments"
    verbose_name = _("Exams")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from people.roles import DISTRICT_ADMIN, TRAINER, register_role_permissions

        from . import integration

        integration.register()
        trainer_perms = [
            f"assessments.{verb}_{model}"
            for model in ("question", "exam")
            for verb in ("add", "change", "view")
        ]
        register_role_permissions(TRAINER, trainer_perms)
        register_role_permissions(DISTRICT_ADMIN, [*trainer_perms, "assessments.delete_exam"])
