from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from people.roles import DISTRICT_ADMIN, HR, register_role_permissions

        from . import receivers
        from .defaults import ensure_defaults

        register_role_permissions(
            DISTRICT_ADMIN,
            [
                "certification.view_certificate",
                "certification.view_certificationlevel",
                "certification.add_certificationlevel",
                "certification.change_certificationlevel",
                "certification.view_payruleset",
                "certification.change_payruleset",
                "certification.view_wageindex",
                "certification.add_wageindex",
                "certification.change_wageindex",
            ],
        )
        register_role_permissions(HR, ["certification.view_certificate"])
        post_migrate.connect(ensure_defaults, sender=self)
        receivers.connect()
