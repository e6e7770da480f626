from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    """Question bank, exams and attempts. Simulations live in ``assessments.simulations``."""

    name = "assessments"
    verbose_name = _("Exams")
    default_auto_field = "django.db.models.BigAutoField"
