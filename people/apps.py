from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles_after_last_app(sender, **kwargs):
    """Apply role groups once per migrate, after every app's permissions exist."""
    last = [c for c in apps.get_app_configs() if c.models_module is not None][-1]
    if sender.label != last.label:
        return
    from .roles import ensure_roles

    ensure_roles()


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People and organisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_ensure_roles_after_last_app, dispatch_uid="people.ensure_roles")
