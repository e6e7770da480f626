from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Grid Academy site")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Page, Site

        from .middleware import forget_sites

        def changed(sender, instance=None, **kwargs):
            if isinstance(instance, Page | Site):
                forget_sites()

        self._forget_sites = changed  # signals hold receivers weakly
        post_save.connect(changed, dispatch_uid="lms_forget_sites_save")
        post_delete.connect(changed, dispatch_uid="lms_forget_sites_delete")
