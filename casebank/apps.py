from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasebankConfig(AppConfig):
    name = "casebank"
    verbose_name = _("Case bank")
    default_auto_field = "django.db.models.BigAutoField"
