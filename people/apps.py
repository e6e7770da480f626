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
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        post_migrate.connect(_ensure_roles_after_last_app, dispatch_uid="people.ensure_roles")
        user_login_failed.connect(_login_failed, dispatch_uid="people.login_failed")
        user_logged_in.connect(_logged_in, dispatch_uid="people.logged_in")


def _login_failed(sender, credentials, request=None, **kwargs):
    from .lockout import record_failure
    from .ratelimit import client_ip

    identifier = credentials.get("username") or credentials.get("mobile") or ""
    record_failure(identifier, client_ip(request) if request is not None else "unknown")


def _logged_in(sender, request, user, **kwargs):
    from .lockout import record_success

    record_success(user)
