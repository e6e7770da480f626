from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasebankConfig(AppConfig):
    name = "casebank"
    verbose_name = _("Case bank")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from people.roles import REVIEWER, TRAINER, register_role_permissions

        from . import (
            dashboard,  # noqa: F401  (header link cache invalidation)
            signals,
        )

        signals.connect()
        register_role_permissions(
            TRAINER, ["casebank.add_law", "casebank.change_law", "casebank.view_law"]
        )
        register_role_permissions(REVIEWER, ["casebank.view_law"])
