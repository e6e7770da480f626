from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from people.models import WorkerProfile

from .dashboard import collect_panels


class HomePage(Page):
    """The site root at ``/``: a learner's home (greeting, org unit, what to do next).

    Editors rarely touch it; the course catalogue and case library live below it.
    """

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        worker = None
        if user.is_authenticated:
            worker = WorkerProfile.objects.select_related("org_unit").filter(user=user).first()
        context["worker"] = worker
        context["panels"] = collect_panels(request) if user.is_authenticated else []
        return context
