from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrConfig(AppConfig):
    name = "certification.hr"
    label = "hr"
    verbose_name = _("HR records")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from people.roles import DISTRICT_ADMIN, HR, register_role_permissions

        from . import receivers

        register_role_permissions(HR, ["hr.view_records"])
        register_role_permissions(
            DISTRICT_ADMIN,
            ["hr.view_records", "hr.view_apitoken", "hr.add_apitoken", "hr.view_audit_log"],
        )
        receivers.connect()
